using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>The daemon did not become healthy, or did not stop, in time.</summary>
public sealed class DaemonTimeoutException(string message)
    : WorkflowAutomationException(ErrorIds.DaemonTimeout, ErrorKind.OperationTimeout, message);
