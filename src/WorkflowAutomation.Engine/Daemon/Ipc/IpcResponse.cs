using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>The daemon's answer: a result, or the error a cmdlet turns back into an error record.</summary>
public sealed class IpcResponse
{
    public bool Ok { get; init; }
    public JsonElement? Body { get; init; }
    public string? ErrorId { get; init; }
    public string? Kind { get; init; }
    public string? Message { get; init; }
}
