using Microsoft.Data.Sqlite;
using WorkflowAutomation.Workflows;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Turns due schedule occurrences into queued runs. Each tick looks for the latest
/// occurrence since the last one run: a schedule missed while the daemon was down runs once
/// on start, not once per missed occurrence. The occurrence is recorded in the transaction
/// that queues the run, so a crash can neither lose it nor run it twice.
/// </summary>
/// <param name="schedules">The registered schedules.</param>
/// <param name="enqueue">Queues a run: definition, its text, origin, and work for the same transaction.</param>
/// <param name="time">The clock.</param>
/// <param name="log">The daemon's log.</param>
/// <param name="parseOptions">How workflow files are validated (strict interpolation); the defaults when null.</param>
public sealed class Scheduler(ScheduleStore schedules, Func<WorkflowDefinition, string, string, Action<SqliteConnection, SqliteTransaction>, WorkflowRun> enqueue,
    TimeProvider time, DaemonLog log, WorkflowParseOptions? parseOptions = null)
{
    /// <summary>When the loop last ran (the health check watches it).</summary>
    public DateTimeOffset? LastTick { get; private set; }

    /// <summary>Queues what is due now; returns the runs queued.</summary>
    public IReadOnlyList<WorkflowRun> Tick()
    {
        var now = time.GetUtcNow();
        var queued = new List<WorkflowRun>();
        foreach (var schedule in schedules.List())
        {
            DateTimeOffset? due;
            try
            {
                due = CronSchedule.LatestDue(schedule.Cron, schedule.TimeZone, schedule.LastRunAt ?? schedule.RegisteredAt, now);
            }
            catch (Common.WorkflowAutomationException exception)
            {
                log.Error($"Schedule '{schedule.Name}' cannot be evaluated: {exception.Message}");
                continue;
            }
            if (due is not { } occurrence)
            {
                continue;
            }
            try
            {
                var text = File.ReadAllText(schedule.Path);
                var definition = WorkflowParser.Parse(text, schedule.Path, parseOptions) is { Definition: { } parsed } ? parsed
                    : throw new Common.WorkflowAutomationException(ErrorIds.WorkflowYamlInvalid, Common.ErrorKind.InvalidData, $"{schedule.Path} is no longer a valid workflow; run Test-WorkflowDefinition -Path {schedule.Path} -Detailed.");
                var run = enqueue(definition, text, "schedule:" + schedule.Name, (c, t) => ScheduleStore.MarkRun(c, t, schedule.Name, occurrence));
                log.Info($"Schedule '{schedule.Name}' queued run {run.Id} for {occurrence:u}");
                queued.Add(run);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Common.WorkflowAutomationException)
            {
                log.Error($"Schedule '{schedule.Name}' could not run {schedule.Path}: {exception.Message}");
                // Marked anyway: a file that cannot be read must not be retried every second.
                schedules.MarkRun(schedule.Name, occurrence);
            }
        }
        LastTick = now;
        return queued;
    }
}
