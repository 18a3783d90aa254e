using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>No daemon answers for the state directory.</summary>
public sealed class DaemonNotRunningException(string stateDirectory, Exception? inner = null)
    : WorkflowAutomationException(ErrorIds.DaemonNotRunning, ErrorKind.ResourceUnavailable,
        $"No workflow daemon is running for the state directory '{stateDirectory}'. " +
        "Start one with Start-WorkflowDaemon (or Start-WorkflowDaemon -Foreground under systemd or a scheduled task).", inner);

/// <summary>A second daemon was started on a state directory that already has one.</summary>
public sealed class DaemonAlreadyRunningException(string stateDirectory, int? pid)
    : WorkflowAutomationException(ErrorIds.DaemonAlreadyRunning, ErrorKind.ResourceExists,
        $"A workflow daemon already runs for the state directory '{stateDirectory}'" +
        (pid is { } id ? $" (process {id})." : ".") +
        " Use Get-WorkflowDaemon to see it, or Stop-WorkflowDaemon / Restart-WorkflowDaemon.")
{
    public int? ProcessId { get; } = pid;
}

/// <summary>The daemon did not become healthy, or did not stop, in time.</summary>
public sealed class DaemonTimeoutException(string message)
    : WorkflowAutomationException(ErrorIds.DaemonTimeout, ErrorKind.OperationTimeout, message);

/// <summary>The daemon process ended while it was starting.</summary>
public sealed class DaemonStartFailedException(string message)
    : WorkflowAutomationException(ErrorIds.DaemonStartFailed, ErrorKind.InvalidOperation, message);

/// <summary>An answer from the daemon that could not be understood (a version mismatch or a broken connection).</summary>
public sealed class DaemonProtocolException(string message, Exception? inner = null)
    : WorkflowAutomationException(ErrorIds.DaemonProtocolError, ErrorKind.ConnectionError, message, inner);
