using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class SupervisorTests
{
    [Fact]
    public async Task Restarts_a_crashed_daemon_with_backoff_and_gives_up_after_the_hourly_budget()
    {
        using var temp = new TempFolder();
        var paths = new DaemonPaths(temp.State);
        paths.EnsureFolders();
        // A pid file left behind is what a crash looks like.
        OwnerOnly.WriteAllText(paths.PidFile, "999999\n");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var starts = new List<DateTimeOffset>();
        var supervisor = new DaemonSupervisor(paths, maxPerHour: 3, time, daemonAlive: () => false, startDaemon: () => starts.Add(time.GetUtcNow()));
        using var log = new DaemonLog(Path.Combine(temp.Path, "supervisor.log"), time);
        var run = supervisor.RunAsync(log, CancellationToken.None);
        for (var step = 0; step < 400 && !run.IsCompleted; step++)
        {
            await Task.Delay(2);
            time.Advance(TimeSpan.FromMilliseconds(250));
        }
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, starts.Count);
        // 0.5 s, then 1 s, then 2 s: each gap at least the backoff, doubling.
        Assert.True(starts[1] - starts[0] >= TimeSpan.FromSeconds(1));
        Assert.True(starts[2] - starts[1] >= TimeSpan.FromSeconds(2));
        Assert.Contains("giving up", File.ReadAllText(log.Path));
    }

    [Fact]
    public async Task Ends_without_restarting_when_the_daemon_stopped_cleanly()
    {
        using var temp = new TempFolder();
        var paths = new DaemonPaths(temp.State);
        paths.EnsureFolders();
        var starts = 0;
        var supervisor = new DaemonSupervisor(paths, 10, new FakeTimeProvider(), () => false, () => starts++);
        using var log = new DaemonLog(Path.Combine(temp.Path, "supervisor.log"));
        await supervisor.RunAsync(log, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, starts);
    }

    [Fact]
    public void Backoff_doubles_up_to_a_minute()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), DaemonSupervisor.Backoff(0));
        Assert.Equal(TimeSpan.FromSeconds(4), DaemonSupervisor.Backoff(3));
        Assert.Equal(TimeSpan.FromMinutes(1), DaemonSupervisor.Backoff(9));
    }
}
