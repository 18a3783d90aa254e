using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Cancels a run of this session (Invoke-Workflow -AsJob) or of the daemon, and returns it once it has stopped.</summary>
/// <remarks>
/// Running steps are killed with their whole process tree, the rollbacks of the succeeded
/// steps run, and the run is recorded as Cancelled. The command returns only when all of
/// that is done; Ctrl+C stops waiting for it. A daemon run that is still queued never starts. Cancelling a daemon run
/// needs the daemon: when none runs, the error DaemonNotRunning says how to start one.
/// </remarks>
/// <example>
/// <code>$job = Invoke-Workflow ./long.yaml -AsJob; Stop-WorkflowRun -Id $job.RunId</code>
/// <para>Starts a run in the background, then cancels it.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowRun -Status Queued | Stop-WorkflowRun</code>
/// <para>Cancels every run waiting in the daemon's queue.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "WorkflowRun", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowRun))]
public sealed class StopWorkflowRunCommand : WorkflowCmdlet
{
    /// <summary>The run to cancel.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string Id { get; set; } = string.Empty;

    protected override void Process()
    {
        if (!ShouldProcess(Id, "Cancel the run"))
        {
            return;
        }
        try
        {
            WriteObject(new WorkflowRuns(State).Cancel(Id, Cancellation));
        }
        catch (WorkflowAutomationException exception) when (exception.ErrorId is ErrorIds.RunNotFound or ErrorIds.RunNotActive)
        {
            WriteItemError(exception, Id);
        }
    }
}
