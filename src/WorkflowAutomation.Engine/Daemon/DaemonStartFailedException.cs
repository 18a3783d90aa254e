using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>The daemon process ended while it was starting.</summary>
public sealed class DaemonStartFailedException(string message)
    : WorkflowAutomationException(ErrorIds.DaemonStartFailed, ErrorKind.InvalidOperation, message);
