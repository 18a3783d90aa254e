using System.Management.Automation;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Denies a step of a daemon run that waits at an approval gate.</summary>
/// <remarks>
/// The step fails as not approved, and the run goes on as after any failed step (rollbacks
/// run when the run fails). Returns the step.
/// </remarks>
/// <example>
/// <code>Deny-WorkflowStep -RunId 20261127-101500-3fa9c1 -Step deploy -Reason 'change freeze'</code>
/// <para>Refuses the deploy step, recording why.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Deny, "WorkflowStep", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowStepRun))]
public sealed class DenyWorkflowStepCommand : ApprovalAnswerCmdlet
{
    protected override bool Approves => false;
}
