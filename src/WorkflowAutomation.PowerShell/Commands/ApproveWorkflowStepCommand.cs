using System.Management.Automation;
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
public sealed class ApproveWorkflowStepCommand : ApprovalAnswerCmdlet
{
    protected override bool Approves => true;
}
