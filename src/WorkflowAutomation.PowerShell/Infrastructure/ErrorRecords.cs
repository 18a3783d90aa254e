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
            UnauthorizedAccessException => ("AccessDenied", ErrorCategory.PermissionDenied),
            FileNotFoundException or DirectoryNotFoundException => ("PathNotFound", ErrorCategory.ObjectNotFound),
            IOException => ("IOFailed", ErrorCategory.WriteError),
            OperationCanceledException => ("OperationStopped", ErrorCategory.OperationStopped),
            ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument),
            TimeoutException => ("OperationTimeout", ErrorCategory.OperationTimeout),
            _ => ("UnexpectedError", ErrorCategory.NotSpecified),
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
