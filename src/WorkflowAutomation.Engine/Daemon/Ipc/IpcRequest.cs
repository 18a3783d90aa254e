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
