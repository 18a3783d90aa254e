using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>Whether an operation changes state, and so needs the daemon's token.</summary>
public enum IpcAccess
{
    ReadOnly,
    ChangesState,
}
