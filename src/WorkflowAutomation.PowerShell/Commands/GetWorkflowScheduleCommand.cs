using System.Management.Automation;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets the registered workflow schedules with their last and next runs.</summary>
/// <remarks>
/// Shows each schedule's workflow, file, cron expression, time zone, the occurrence last run
/// and the next one. Works whether or not the daemon runs.
/// </remarks>
/// <example>
/// <code>Get-WorkflowSchedule</code>
/// <para>Lists every schedule and when it runs next.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowSchedule")]
[OutputType(typeof(WorkflowSchedule))]
public sealed class GetWorkflowScheduleCommand : WorkflowCmdlet
{
    /// <summary>Workflow names; wildcards are allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void Process() => WriteObject(new WorkflowSchedules(State).List(Name), enumerateCollection: true);
}
