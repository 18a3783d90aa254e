using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>A run ended without succeeding; hosts write it as an error so scripts can react ($?, -ErrorAction Stop).</summary>
public sealed class WorkflowRunFailedException(WorkflowRun run)
    : WorkflowAutomationException(RunFailureIds.For(run), KindOf(run),
        $"Workflow '{run.Name}' run {run.Id} {Verb(run.Status)}: {(run.Error ?? "see Get-WorkflowRunLog").TrimEnd('.')}. " +
        $"Inspect it with Get-WorkflowRunLog -Id {run.Id}; rerun the failed part with Restart-WorkflowRun -Id {run.Id} -FromFailedStep.")
{
    public WorkflowRun Run { get; } = run;

    private static string Verb(RunStatus status) => status switch
    {
        RunStatus.Cancelled => "was cancelled",
        RunStatus.Interrupted => "was interrupted",
        _ => "failed",
    };

    private static ErrorKind KindOf(WorkflowRun run) => RunFailureIds.For(run) switch
    {
        ErrorIds.WorkflowApprovalRequired or ErrorIds.WorkflowApprovalDenied => ErrorKind.PermissionDenied,
        ErrorIds.WorkflowRunCancelled => ErrorKind.OperationStopped,
        _ => ErrorKind.InvalidResult,
    };
}
