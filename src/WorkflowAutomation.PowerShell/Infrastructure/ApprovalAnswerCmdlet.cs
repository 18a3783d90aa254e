using System.Management.Automation;
using WorkflowAutomation.Daemon.Ipc;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>What Approve- and Deny-WorkflowStep share: they differ only in the answer they send.</summary>
public abstract class ApprovalAnswerCmdlet : DaemonCmdlet
{
    /// <summary>The run whose step waits at an approval gate.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public string RunId { get; set; } = "";

    /// <summary>The name of the step waiting for approval.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Step { get; set; } = "";

    /// <summary>Why, kept with the answer.</summary>
    [Parameter]
    public string? Reason { get; set; }

    /// <summary>True to let the step go ahead, false to refuse it.</summary>
    protected abstract bool Approves { get; }

    protected override void Process()
    {
        if (!ShouldProcess($"step '{Step}' of run {RunId}", Approves ? "Approve" : "Deny"))
        {
            return;
        }
        WriteObject(Daemon.Answer(new AnswerRequest
        {
            RunId = RunId,
            Step = Step,
            Approve = Approves,
            Reason = Reason,
            AnsweredBy = Environment.UserName,
        }, Cancellation));
    }
}
