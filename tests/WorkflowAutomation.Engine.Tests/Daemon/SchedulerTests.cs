using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class SchedulerTests
{
    private static (Scheduler Scheduler, ScheduleStore Store, List<(string Workflow, string Origin)> Queued) Create(TempFolder temp, DaemonDatabase database, FakeTimeProvider time)
    {
        var store = new ScheduleStore(database, time);
        var queue = new RunQueue(database, time);
        var queued = new List<(string, string)>();
        var log = new DaemonLog(Path.Combine(temp.Path, "daemon.log"), time);
        var scheduler = new Scheduler(store, (definition, text, origin, alongside) =>
        {
            queue.Enqueue(Guid.NewGuid().ToString("n"), definition.Name, definition.SourcePath, text, new Dictionary<string, string>(), origin, alongside);
            queued.Add((definition.Name, origin));
            return new WorkflowRun { Id = "r" + queued.Count, Name = definition.Name, Status = RunStatus.Queued };
        }, time, log);
        return (scheduler, store, queued);
    }

    private static string Workflow(TempFolder temp, string name, string cron, string? zone = null) => temp.File(name + ".yaml", $"""
        name: {name}
        schedule: '{cron}'
        {(zone is null ? "" : "time_zone: " + zone)}
        steps:
          - name: one
            shell: sh
            command: echo hi
        """);

    [Fact]
    public void A_cron_workflow_runs_on_time_once_per_occurrence()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:01:00Z"));
        using var database = DaemonDatabase.Open(temp.State);
        var (scheduler, store, queued) = Create(temp, database, time);
        var path = Workflow(temp, "every_five", "*/5 * * * *");
        var schedule = store.Register(WorkflowParser.Load(path), path);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T10:05:00Z"), schedule.NextRunAt);

        scheduler.Tick();
        Assert.Empty(queued);
        time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(59));
        scheduler.Tick();
        Assert.Empty(queued);
        time.Advance(TimeSpan.FromSeconds(1));
        scheduler.Tick();
        scheduler.Tick();
        Assert.Equal([("every_five", "schedule:every_five")], queued);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T10:05:00Z"), store.Find("every_five")!.LastRunAt);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T10:10:00Z"), store.Find("every_five")!.NextRunAt);
        Assert.Equal(time.GetUtcNow(), scheduler.LastTick);
    }

    [Fact]
    public void Occurrences_missed_while_the_daemon_was_down_run_once_at_start()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:01:00Z"));
        var path = Workflow(temp, "minutely", "* * * * *");
        using (var database = DaemonDatabase.Open(temp.State))
        {
            new ScheduleStore(database, time).Register(WorkflowParser.Load(path), path);
        }
        // The daemon is down for 47 minutes, then starts.
        time.Advance(TimeSpan.FromMinutes(47));
        using (var database = DaemonDatabase.Open(temp.State))
        {
            var (scheduler, store, queued) = Create(temp, database, time);
            scheduler.Tick();
            scheduler.Tick();
            Assert.Single(queued);
            Assert.Equal(DateTimeOffset.Parse("2026-05-01T10:48:00Z"), store.Find("minutely")!.LastRunAt);
            time.Advance(TimeSpan.FromMinutes(1));
            scheduler.Tick();
            Assert.Equal(2, queued.Count);
        }
    }

    [Fact]
    public void The_cron_is_read_in_the_workflows_time_zone()
    {
        using var temp = new TempFolder();
        // 09:00 in Berlin is 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST).
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-15T07:30:00Z"));
        using var database = DaemonDatabase.Open(temp.State);
        var (scheduler, store, queued) = Create(temp, database, time);
        var path = Workflow(temp, "berlin", "0 9 * * *", "Europe/Berlin");
        Assert.Equal(DateTimeOffset.Parse("2026-01-15T08:00:00Z"), store.Register(WorkflowParser.Load(path), path).NextRunAt);
        time.Advance(TimeSpan.FromMinutes(30));
        scheduler.Tick();
        Assert.Single(queued);
        Assert.Equal(DateTimeOffset.Parse("2026-07-01T07:00:00Z"), CronSchedule.Next("0 9 * * *", "Europe/Berlin", DateTimeOffset.Parse("2026-06-30T08:00:00Z")));
    }

    [Fact]
    public void A_workflow_without_a_schedule_is_refused_with_what_to_add()
    {
        using var temp = new TempFolder();
        using var database = DaemonDatabase.Open(temp.State);
        var path = temp.File("plain.yaml", "name: plain\nsteps:\n  - name: one\n    command: echo hi\n");
        var error = Assert.Throws<WorkflowAutomationException>(() => new ScheduleStore(database, TimeProvider.System).Register(WorkflowParser.Load(path), path));
        Assert.Equal("ScheduleMissing", error.ErrorId);
        Assert.Contains("schedule:", error.Message);
    }
}
