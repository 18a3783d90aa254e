using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.State;

/// <summary>
/// How the run store writes definitions, parameters and outputs as JSON. The metadata is
/// generated at build time: the reflection-based serializer builds it (and emits code for
/// its accessors) on first use, which was most of a session's first workflow run. A value
/// of a type not listed here (an input default is typed object) falls back to reflection.
/// </summary>
[JsonSerializable(typeof(WorkflowDefinition))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
// What an input default holds: parsed from YAML, or read back from the store.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class RunStoreJsonContext : JsonSerializerContext
{
    /// <summary>The options the store serializes with.</summary>
    public static JsonSerializerOptions StoreOptions { get; } = new()
    {
        WriteIndented = false,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(Default, new DefaultJsonTypeInfoResolver()),
    };
}
