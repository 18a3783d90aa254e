using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Waits until daemon runs end and returns them.</summary>
/// <remarks>
/// Blocks until each run has ended for good (Succeeded, Failed or Cancelled; a run
/// interrupted by a daemon restart is resumed and waited for). A run that already ended is
/// returned at once from the state store, even when no daemon runs. With -Timeout, a run
/// still going when the time is up is reported with the error WaitTimeout and not returned.
/// Ctrl+C stops waiting at once; the runs go on. A run of this session (Invoke-Workflow
/// -AsJob) is waited for in place.
/// </remarks>
/// <example>
/// <code>$run = Submit-Workflow ./build.yaml; Wait-WorkflowRun -Id $run.Id -Timeout 600</code>
/// <para>Waits up to ten minutes for a queued run.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "WorkflowRun")]
[OutputType(typeof(WorkflowRun))]
public sealed class WaitWorkflowRunCommand : WorkflowCmdlet
{
    /// <summary>The ids of the runs to wait for.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string[] Id { get; set; } = [];

    /// <summary>Seconds to wait at most for each run; no limit when omitted.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void Process()
    {
        var runs = new WorkflowRuns(State);
        foreach (var id in Id)
        {
            try
            {
                WriteObject(runs.Wait(id, Timeout < 0 ? null : TimeSpan.FromSeconds(Timeout), run => WriteProgress(Progress(run)), Cancellation));
            }
            catch (WorkflowAutomationException exception) when (exception.ErrorId is ErrorIds.RunNotFound or ErrorIds.WaitTimeout)
            {
                WriteItemError(exception, id);
            }
        }
    }

    private static ProgressRecord Progress(WorkflowRun run)
    {
        var done = run.Steps.Count(step => step.Status.HasEnded());
        return new ProgressRecord(1, $"Waiting for run {run.Id}", $"{run.Status}: {done} of {run.Steps.Count} steps done")
        {
            PercentComplete = run.Steps.Count == 0 ? 0 : 100 * done / run.Steps.Count,
        };
    }
}
