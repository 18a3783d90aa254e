using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class HealthTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Theory]
    [InlineData(50 * GiB, 100 * GiB, HealthStatus.Healthy)]
    [InlineData(GiB / 2, 20 * GiB, HealthStatus.Degraded)]
    [InlineData(4 * GiB, 100 * GiB, HealthStatus.Degraded)]
    [InlineData(GiB / 20, 100 * GiB, HealthStatus.Degraded)]
    [InlineData(GiB / 20, GiB, HealthStatus.Degraded)]
    [InlineData(GiB / 2, GiB, HealthStatus.Healthy)]
    [InlineData(GiB / 2, 100 * GiB, HealthStatus.Degraded)]
    [InlineData(0, 64L * 1024 * 1024, HealthStatus.Degraded)]
    [InlineData(60L * 1024 * 1024, 64L * 1024 * 1024, HealthStatus.Healthy)]
    public async Task Disk_space_maps_to_health(long free, long total, HealthStatus expected)
    {
        var check = new DiskHealthCheck("/srv", _ => (free, total));
        var result = await check.CheckAsync(CancellationToken.None);
        Assert.Equal(expected, result.Status);
        Assert.Contains("/srv", result.Description);
    }

    [Fact]
    public async Task A_scheduler_loop_that_stopped_beating_is_unhealthy()
    {
        var time = new FakeTimeProvider();
        DateTimeOffset? beat = null;
        var check = new HeartbeatHealthCheck("Scheduler", () => beat, TimeSpan.FromSeconds(10), time);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckAsync(CancellationToken.None)).Status);
        beat = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckAsync(CancellationToken.None)).Status);
        time.Advance(TimeSpan.FromSeconds(2));
        var stale = await check.CheckAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("11 s ago", stale.Description);
    }

    [Fact]
    public async Task The_monitor_reports_the_worst_check_with_reasons_every_interval()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider();
        var free = 50 * GiB;
        using var log = new DaemonLog(Path.Combine(temp.Path, "daemon.log"), time);
        using var monitor = new HealthMonitor(
            [new DiskHealthCheck(temp.Path, _ => (free, 100 * GiB)), new ThrowingCheck()],
            TimeSpan.FromSeconds(30), time, log);
        var first = await monitor.CheckNowAsync();
        Assert.Equal(HealthStatus.Unhealthy, first.Status);
        Assert.Equal(["Broken: the check itself failed: boom"], first.Reasons);

        monitor.Start();
        free = 4 * GiB;
        // The loop arms its timer on another thread: advance until it has fired once.
        for (var attempt = 0; attempt < 200 && monitor.Current!.Checks[0].Status != HealthStatus.Degraded; attempt++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(10);
        }
        Assert.Equal(HealthStatus.Degraded, monitor.Current!.Checks[0].Status);
        Assert.Equal(2, monitor.Current!.Reasons.Count);
        Assert.Contains("Health is Unhealthy", File.ReadAllText(log.Path));
    }

    private sealed class ThrowingCheck : IHealthCheck
    {
        public string Name => "Broken";

        public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation) => throw new InvalidOperationException("boom");
    }
}
