using System.Management.Automation;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>Turns engine exceptions into error records with stable ErrorIds and real categories.</summary>
public static class ErrorRecords
{
    public static ErrorRecord From(Exception exception, object? target)
    {
        if (exception is WorkflowAutomationException known)
        {
            return new ErrorRecord(known, known.ErrorId, Category(known.Kind), target);
        }
        var (id, category) = exception switch
        {
            UnauthorizedAccessException => (ErrorIds.AccessDenied, ErrorCategory.PermissionDenied),
            FileNotFoundException or DirectoryNotFoundException => (ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound),
            IOException => (ErrorIds.IOFailed, ErrorCategory.WriteError),
            OperationCanceledException => (ErrorIds.OperationStopped, ErrorCategory.OperationStopped),
            ArgumentException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            TimeoutException => (ErrorIds.OperationTimeout, ErrorCategory.OperationTimeout),
            _ => (ErrorIds.UnexpectedError, ErrorCategory.NotSpecified),
        };
        return new ErrorRecord(exception, id, category, target);
    }

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        _ => ErrorCategory.NotSpecified,
    };
}
