using WorkflowAutomation.Common;

namespace WorkflowAutomation.Platform;

/// <summary>The state directory could be changed by other users, so the daemon will not trust it.</summary>
public sealed class StateDirectoryInsecureException(string path)
    : WorkflowAutomationException(ErrorIds.StateDirectoryInsecure, ErrorKind.PermissionDenied,
        $"The daemon refuses to start: '{path}' can be written by its group or by other users, who could then " +
        $"reach the daemon's socket and token. Restrict it with 'chmod 700 {path}'.");
