using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Removes workflow schedules; the daemon stops running them.</summary>
/// <remarks>
/// Runs already queued by the schedule still run. A name that matches no schedule is reported
/// with the error ScheduleNotFound.
/// </remarks>
/// <example>
/// <code>Unregister-WorkflowSchedule -Name nightly_backup</code>
/// <para>Stops running the nightly_backup workflow on its schedule.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowSchedule test_* | Unregister-WorkflowSchedule</code>
/// <para>Removes every schedule of a workflow whose name starts with test_.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Unregister, "WorkflowSchedule", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowSchedule))]
public sealed class UnregisterWorkflowScheduleCommand : WorkflowCmdlet
{
    /// <summary>Workflow names; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    /// <summary>Writes the removed schedules.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var schedules = new WorkflowSchedules(State);
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Unregister the workflow schedule"))
            {
                continue;
            }
            try
            {
                var removed = schedules.Unregister(name);
                if (PassThru)
                {
                    WriteObject(removed, enumerateCollection: true);
                }
            }
            catch (WorkflowAutomationException exception) when (exception.ErrorId == ErrorIds.ScheduleNotFound)
            {
                WriteItemError(exception, name);
            }
        }
    }
}
