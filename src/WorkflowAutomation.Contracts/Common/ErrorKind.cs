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
