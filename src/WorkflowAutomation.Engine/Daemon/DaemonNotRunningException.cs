using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>No daemon answers for the state directory.</summary>
public sealed class DaemonNotRunningException(string stateDirectory, Exception? inner = null)
    : WorkflowAutomationException(ErrorIds.DaemonNotRunning, ErrorKind.ResourceUnavailable,
        $"No workflow daemon is running for the state directory '{stateDirectory}'. " +
        "Start one with Start-WorkflowDaemon (or Start-WorkflowDaemon -Foreground under systemd or a scheduled task).", inner);
