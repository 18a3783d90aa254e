using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Facades;

/// <summary>Cron schedules the daemon runs, for the schedule cmdlets and the dashboard.</summary>
public sealed class WorkflowSchedules(StateDirectory state)
{
    public IReadOnlyList<WorkflowSchedule> List(IReadOnlyCollection<string>? names = null)
    {
        using var database = DaemonDatabase.Open(state);
        return new ScheduleStore(database, TimeProvider.System).List()
            .Where(schedule => names is null || names.Any(pattern => Wildcard.IsMatch(schedule.Name, pattern)))
            .ToList();
    }

    /// <summary>Registers (or replaces) the schedule of a workflow file.</summary>
    public WorkflowSchedule Register(WorkflowDefinition definition, string file)
    {
        using var database = DaemonDatabase.Open(state);
        return new ScheduleStore(database, TimeProvider.System).Register(definition, file);
    }

    /// <summary>Removes the schedules whose workflow name matches; ScheduleNotFound when none does.</summary>
    public IReadOnlyList<WorkflowSchedule> Unregister(string name)
    {
        using var database = DaemonDatabase.Open(state);
        var schedules = new ScheduleStore(database, TimeProvider.System);
        var known = schedules.List();
        if (!known.Any(schedule => Wildcard.IsMatch(schedule.Name, name)))
        {
            throw new WorkflowAutomationException(ErrorIds.ScheduleNotFound, ErrorKind.ObjectNotFound,
                $"No schedule is registered for '{name}'.{DidYouMean.Hint(name, known.Select(schedule => schedule.Name))} Get-WorkflowSchedule lists them.");
        }
        return schedules.Unregister(name);
    }
}
