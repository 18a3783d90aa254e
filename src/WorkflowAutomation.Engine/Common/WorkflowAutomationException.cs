namespace WorkflowAutomation.Common;

/// <summary>
/// A failure a user can cause or act on. <see cref="ErrorId"/> is stable (scripts match on
/// it); the message says what to do.
/// </summary>
public class WorkflowAutomationException : Exception
{
    public WorkflowAutomationException(string errorId, ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    public string ErrorId { get; }

    public ErrorKind Kind { get; }
}
