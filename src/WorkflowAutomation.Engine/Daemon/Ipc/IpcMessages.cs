using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>One request to the daemon: an operation name and its arguments.</summary>
public sealed class IpcRequest
{
    /// <summary>The operation; a request without one is answered with DaemonRequestInvalid.</summary>
    public string? Op { get; init; }

    public JsonElement? Body { get; init; }

    /// <summary>The daemon's token (from the state directory): required for every operation that changes state.</summary>
    public string? Token { get; init; }
}

/// <summary>Whether an operation changes state, and so needs the daemon's token.</summary>
public enum IpcAccess
{
    ReadOnly,
    ChangesState,
}

/// <summary>The daemon's answer: a result, or the error a cmdlet turns back into an error record.</summary>
public sealed class IpcResponse
{
    public bool Ok { get; init; }
    public JsonElement? Body { get; init; }
    public string? ErrorId { get; init; }
    public string? Kind { get; init; }
    public string? Message { get; init; }
}

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
