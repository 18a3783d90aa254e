using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
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
        using var database = DaemonDatabase.Open(State);
        var schedules = new ScheduleStore(database, TimeProvider.System);
        foreach (var name in Name)
        {
            var known = schedules.List();
            if (!known.Any(schedule => NamePattern.IsMatch(name, schedule.Name)))
            {
                WriteItemError(new WorkflowAutomationException("ScheduleNotFound", ErrorKind.ObjectNotFound,
                    $"No schedule is registered for '{name}'.{DidYouMean.Hint(name, known.Select(schedule => schedule.Name))} Get-WorkflowSchedule lists them."), name);
                continue;
            }
            if (ShouldProcess(name, "Unregister the workflow schedule"))
            {
                var removed = schedules.Unregister(name);
                if (PassThru)
                {
                    WriteObject(removed, enumerateCollection: true);
                }
            }
        }
    }
}
