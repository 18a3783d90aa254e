using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>A second daemon was started on a state directory that already has one.</summary>
public sealed class DaemonAlreadyRunningException(string stateDirectory, int? pid)
    : WorkflowAutomationException(ErrorIds.DaemonAlreadyRunning, ErrorKind.ResourceExists,
        $"A workflow daemon already runs for the state directory '{stateDirectory}'" +
        (pid is { } id ? $" (process {id})." : ".") +
        " Use Get-WorkflowDaemon to see it, or Stop-WorkflowDaemon / Restart-WorkflowDaemon.")
{
    public int? ProcessId { get; } = pid;
}
