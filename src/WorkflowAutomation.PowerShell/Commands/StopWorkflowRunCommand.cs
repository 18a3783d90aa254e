using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Cancels a run of this session (Invoke-Workflow -AsJob) and returns it once it has stopped.</summary>
/// <remarks>
/// Running steps are killed with their whole process tree, the rollbacks of the succeeded
/// steps run, and the run is recorded as Cancelled. The command returns only when all of
/// that is done.
/// </remarks>
/// <example>
/// <code>$job = Invoke-Workflow ./long.yaml -AsJob; Stop-WorkflowRun -Id $job.RunId</code>
/// <para>Starts a run in the background, then cancels it.</para>
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
        if (WorkflowSession.Find(Id) is not { } active)
        {
            WriteItemError(new Common.WorkflowAutomationException("WorkflowRunNotActive", Common.ErrorKind.ObjectNotFound,
                $"Run '{Id}' is not running in this session. Runs started here with Invoke-Workflow -AsJob can be stopped; see Get-WorkflowRun -Status Running."), Id);
            return;
        }
        if (ShouldProcess(Id, "Cancel the run"))
        {
            WriteObject(active.Stop());
        }
    }
}
