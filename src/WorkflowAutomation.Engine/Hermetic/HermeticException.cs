using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>A hermetic environment operation that a user can fix; nothing was changed.</summary>
public sealed class HermeticException(string errorId, ErrorKind kind, string message, Exception? inner = null)
    : WorkflowAutomationException(errorId, kind, message, inner);
