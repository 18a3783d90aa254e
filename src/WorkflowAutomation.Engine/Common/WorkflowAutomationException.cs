namespace WorkflowAutomation.Common;

/// <summary>What kind of failure an error is; hosts map it to their own categories.</summary>
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    ResourceUnavailable,
    ResourceExists,
    PermissionDenied,
    InvalidOperation,
    OperationStopped,
    OperationTimeout,
    ConnectionError,
    /// <summary>An operation ran but did not succeed (a failed workflow run).</summary>
    InvalidResult,
    NotSpecified,
}

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
