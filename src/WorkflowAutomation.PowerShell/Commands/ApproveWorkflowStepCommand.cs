using System.Management.Automation;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Approves a step of a daemon run that waits at an approval gate.</summary>
/// <remarks>
/// A step with approval_required: true waits, durably, until it is approved or denied: the
/// wait survives daemon restarts, and the answer is committed before the run goes on.
/// Returns the step. Deny-WorkflowStep refuses it instead.
/// </remarks>
/// <example>
/// <code>Approve-WorkflowStep -RunId 20261127-101500-3fa9c1 -Step deploy</code>
/// <para>Lets the deploy step of that run go ahead.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowRun -Status WaitingForApproval | Approve-WorkflowStep -Step deploy</code>
/// <para>Approves the deploy step of every run waiting for it.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Approve, "WorkflowStep", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowStepRun))]
public sealed class ApproveWorkflowStepCommand : DaemonCmdlet
{
    /// <summary>The run whose step is approved.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public string RunId { get; set; } = "";

    /// <summary>The name of the step waiting for approval.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Step { get; set; } = "";

    /// <summary>Why, kept with the answer.</summary>
    [Parameter]
    public string? Reason { get; set; }

    protected override void Process()
    {
        if (ShouldProcess($"step '{Step}' of run {RunId}", "Approve"))
        {
            WriteObject(ApprovalAnswer.Send(this, ConnectDaemon, RunId, Step, approve: true, Reason, Cancellation));
        }
    }
}

/// <summary>What Approve- and Deny-WorkflowStep share.</summary>
internal static class ApprovalAnswer
{
    public static WorkflowStepRun? Send(PSCmdlet cmdlet, Func<DaemonClient> connect, string runId, string step, bool approve, string? reason, CancellationToken cancellation)
    {
        using var client = connect();
        return client.Send<WorkflowStepRun>(DaemonOperations.Answer, new AnswerRequest
        {
            RunId = runId,
            Step = step,
            Approve = approve,
            Reason = reason,
            AnsweredBy = Environment.UserName,
        }, cancellation);
    }
}
