using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>An answer from the daemon that could not be understood (a version mismatch or a broken connection).</summary>
public sealed class DaemonProtocolException(string message, Exception? inner = null)
    : WorkflowAutomationException(ErrorIds.DaemonProtocolError, ErrorKind.ConnectionError, message, inner);
