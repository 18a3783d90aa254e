using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The registered schedules, in the daemon's database. Registration works whether or not the
/// daemon runs; a running daemon sees a change at its next tick.
/// </summary>
public sealed class ScheduleStore(DaemonDatabase database, TimeProvider time)
{
    /// <summary>Registers (or replaces) the schedule of a workflow read from its file.</summary>
    public WorkflowSchedule Register(WorkflowDefinition definition, string path)
    {
        if (string.IsNullOrWhiteSpace(definition.Schedule))
        {
            throw new WorkflowAutomationException(ErrorIds.ScheduleMissing, ErrorKind.InvalidData,
                $"'{path}' has no 'schedule:' key. Add a cron expression such as schedule: '*/15 * * * *' to the workflow.");
        }
        CronSchedule.Parse(definition.Schedule);
        CronSchedule.Zone(definition.TimeZone);
        var now = Sql.Milliseconds(time.GetUtcNow());
        database.InTransaction((c, t) => c.Execute(
            """
            INSERT INTO schedules(name, path, cron, time_zone, registered_at) VALUES ($name, $path, $cron, $zone, $now)
            ON CONFLICT(name) DO UPDATE SET path = excluded.path, cron = excluded.cron, time_zone = excluded.time_zone,
                registered_at = CASE WHEN schedules.cron = excluded.cron AND coalesce(schedules.time_zone, '') = coalesce(excluded.time_zone, '')
                    THEN schedules.registered_at ELSE excluded.registered_at END,
                last_fired_at = CASE WHEN schedules.cron = excluded.cron AND coalesce(schedules.time_zone, '') = coalesce(excluded.time_zone, '')
                    THEN schedules.last_fired_at ELSE NULL END
            """,
            t, ("$name", definition.Name), ("$path", Path.GetFullPath(path)), ("$cron", definition.Schedule),
            ("$zone", definition.TimeZone), ("$now", now)));
        return Find(definition.Name)!;
    }

    /// <summary>Removes schedules by name (wildcards allowed); returns those removed.</summary>
    public IReadOnlyList<WorkflowSchedule> Unregister(string pattern)
    {
        var matches = List().Where(schedule => Wildcard.IsMatch(schedule.Name, pattern)).ToList();
        database.InTransaction((c, t) =>
        {
            foreach (var schedule in matches)
            {
                c.Execute("DELETE FROM schedules WHERE name = $name", t, ("$name", schedule.Name));
            }
        });
        return matches;
    }

    /// <summary>Records that an occurrence was run, so it never runs twice (even across restarts).</summary>
    public void MarkRun(string name, DateTimeOffset occurrence) => database.InTransaction((c, t) => MarkRun(c, t, name, occurrence));

    /// <summary>The same, inside a transaction of the caller (the one that queues the run).</summary>
    public static void MarkRun(SqliteConnection connection, SqliteTransaction transaction, string name, DateTimeOffset occurrence) =>
        connection.Execute("UPDATE schedules SET last_fired_at = $at WHERE name = $name", transaction, ("$name", name), ("$at", Sql.Milliseconds(occurrence)));

    public IReadOnlyList<WorkflowSchedule> List() => database.Use(c => Read(c, "ORDER BY name"));

    public WorkflowSchedule? Find(string name) => database.Use(c => Read(c, "WHERE name = $name", ("$name", name)).SingleOrDefault());

    private static List<WorkflowSchedule> Read(SqliteConnection connection, string where, params (string, object?)[] parameters)
    {
        var command = connection.Prepared($"SELECT name, path, cron, time_zone, registered_at, last_fired_at FROM schedules {where}", null, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<WorkflowSchedule>();
        while (reader.Read())
        {
            var cron = reader.GetString(2);
            var zone = Sql.Text(reader, 3);
            var registered = Sql.Time(reader, 4)!.Value;
            var last = Sql.Time(reader, 5);
            DateTimeOffset? next = null;
            try
            {
                next = CronSchedule.Next(cron, zone, last ?? registered);
            }
            catch (WorkflowAutomationException)
            {
                // A time zone removed from the machine since registration: shown without a next run.
            }
            list.Add(new WorkflowSchedule
            {
                Name = reader.GetString(0),
                Path = reader.GetString(1),
                Cron = cron,
                TimeZone = zone,
                RegisteredAt = registered,
                LastRunAt = last,
                NextRunAt = next,
            });
        }
        return list;
    }
}
