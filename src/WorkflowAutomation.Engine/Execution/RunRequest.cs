using WorkflowAutomation.Processes;
using WorkflowAutomation.Workflows;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Execution;

/// <summary>How to run a workflow: its parameters and what the caller allows.</summary>
public sealed class RunRequest
{
    /// <summary>Values for the workflow's inputs (-Parameter).</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();
    /// <summary>Overrides the definition's max_parallel.</summary>
    public int? MaxParallel { get; init; }
    /// <summary>Steps whose approval gate is answered in advance (-Approve).</summary>
    public IReadOnlyCollection<string> Approved { get; init; } = [];
    /// <summary>-WorkingDirectory: an absolute folder that replaces the workflow's own (see <see cref="RunFolder"/>); null keeps it.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>"session" for Invoke-Workflow, "daemon" for the daemon.</summary>
    public string Origin { get; init; } = "session";
    /// <summary>A run id chosen by the caller (the daemon records queued runs first); a new id when null.</summary>
    public string? RunId { get; init; }
    /// <summary>With <see cref="ReuseSucceededSteps"/>: the run whose succeeded steps and outputs are kept.</summary>
    public WorkflowRun? RestartOf { get; init; }
    /// <summary>Restart-WorkflowRun -FromFailedStep: steps that succeeded in <see cref="RestartOf"/> are not run again.</summary>
    public bool ReuseSucceededSteps { get; init; }
    /// <summary>
    /// The daemon continues a run it recorded before (queued, or running when the daemon
    /// died): the record of <see cref="RunId"/> goes on under the same id; steps that finished
    /// keep their result and are never run again; an attempt that was running is recorded as
    /// Interrupted and the step runs again with its retry policy (the interruption was not
    /// the step's failure, so it does not use up a retry). A new run when none is recorded.
    /// </summary>
    public bool Resume { get; init; }
    /// <summary>
    /// Fires when the host stops without cancelling the run (a daemon shutting down): running
    /// steps are killed and recorded as Interrupted, nothing else starts, no rollback runs,
    /// and the run is left Interrupted for <see cref="Resume"/>.
    /// </summary>
    public CancellationToken Interruption { get; init; }
}

/// <summary>Answers approval gates (approval_required).</summary>
public interface IApprovalGate
{
    /// <summary>True when the step may run; false when it was denied.</summary>
    /// <exception cref="ApprovalRequiredException">Nobody can be asked (a non-interactive run).</exception>
    Task<bool> RequestAsync(WorkflowRun run, WorkflowStep step, CancellationToken cancellationToken);
}

/// <summary>The gate of a non-interactive run: nobody to ask, so an unapproved gate stops the run.</summary>
public sealed class NonInteractiveApprovalGate : IApprovalGate
{
    public static readonly NonInteractiveApprovalGate Instance = new();

    public Task<bool> RequestAsync(WorkflowRun run, WorkflowStep step, CancellationToken cancellationToken) =>
        throw new ApprovalRequiredException(step.Name);
}

/// <summary>Told about a run as it goes; hosts show it (console, job, dashboard). Called from any thread.</summary>
public interface IRunObserver
{
    void StepChanged(WorkflowRun run, WorkflowStepRun step) { }
    void Output(WorkflowRun run, string step, OutputLine line) { }
    void Message(WorkflowRun run, string text) { }
}

/// <summary>A step needs approval and nobody can give it.</summary>
public sealed class ApprovalRequiredException(string step)
    : Common.WorkflowAutomationException(ErrorIds.WorkflowApprovalRequired, Common.ErrorKind.PermissionDenied,
        $"Step '{step}' needs approval and this session cannot ask for it. Run again with -Approve {step} to approve it in advance, or run interactively.")
{
    public string Step { get; } = step;
}
