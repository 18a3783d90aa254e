using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>The JSON settings both ends use: enums as names, so the wire is readable in a trace.</summary>
public static class IpcJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The protocol's own types come with metadata generated at build time: a fresh daemon or
        // session serializes its first requests without building it by reflection first.
        // Anything else still works through reflection.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(IpcJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static JsonElement ToElement(object? value) =>
        JsonSerializer.SerializeToElement(value, value?.GetType() ?? typeof(object), Options);

    public static T? FromElement<T>(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value
            ? value.Deserialize<T>(Options)
            : default;
}

/// <summary>The messages and answers of the daemon's protocol, for the JSON source generator.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IpcRequest))]
[JsonSerializable(typeof(IpcResponse))]
[JsonSerializable(typeof(SubmitRequest))]
[JsonSerializable(typeof(RunRequestBody))]
[JsonSerializable(typeof(WaitResponse))]
[JsonSerializable(typeof(AnswerRequest))]
[JsonSerializable(typeof(NameRequest))]
[JsonSerializable(typeof(StopRequest))]
[JsonSerializable(typeof(DaemonStatus))]
[JsonSerializable(typeof(WorkflowRun))]
[JsonSerializable(typeof(WorkflowStepRun))]
[JsonSerializable(typeof(List<CircuitBreakerInfo>))]
[JsonSerializable(typeof(string))]
internal sealed partial class IpcJsonContext : JsonSerializerContext;
