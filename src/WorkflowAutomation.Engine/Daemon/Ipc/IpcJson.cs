using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>The JSON settings both ends use: enums as names, so the wire is readable in a trace.</summary>
public static class IpcJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonElement ToElement(object? value) =>
        JsonSerializer.SerializeToElement(value, value?.GetType() ?? typeof(object), Options);

    public static T? FromElement<T>(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value
            ? value.Deserialize<T>(Options)
            : default;
}
