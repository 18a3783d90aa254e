using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Metrics.Collectors;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>A collection pass that stops moving shows in the daemon's health, with what it is stuck on.</summary>
public sealed class MetricsIngestionHealthTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(Start);
    private readonly MetricStore store;

    public MetricsIngestionHealthTests()
    {
        // The store keeps the real clock: only the collector's clock is moved by the test.
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), TimeProvider.System);
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task A_pass_that_does_not_end_turns_the_check_Degraded_and_back_when_it_ends()
    {
        var probe = new BlockingProbe();
        var service = new MetricsCollectorService(store.Writer, TimeSpan.FromSeconds(10), time, probe, new MetricsInbox(folder.State, store.Writer, time));
        var check = new MetricsIngestionHealthCheck(() => service, time);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckAsync(default)).Status);

        var tick = Task.Run(service.Tick);
        try
        {
            Assert.True(probe.Entered.Wait(TimeSpan.FromSeconds(10)));
            time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(HealthStatus.Healthy, (await check.CheckAsync(default)).Status);
            time.Advance(TimeSpan.FromSeconds(11));
            var stuck = await check.CheckAsync(default);
            Assert.Equal(HealthStatus.Degraded, stuck.Status);
            Assert.Contains("running for 41 s", stuck.Description);
        }
        finally
        {
            probe.Release.Set();
        }
        await tick.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckAsync(default)).Status);
    }

    [Fact]
    public async Task The_daemon_reports_the_metrics_check()
    {
        using var temp = new TempFolder();
        await using var host = new DaemonHost(temp.State, new DaemonHostOptions { Mode = DaemonMode.Job });
        await host.StartAsync();
        var report = await host.CheckHealthAsync();
        Assert.Contains(report.Checks, check => check.Name == "Metrics" && check.Status == HealthStatus.Healthy);
    }

    private sealed class BlockingProbe : ISystemProbe
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        private int reads;

        public SystemSnapshot Read()
        {
            // The first read is the collector's baseline, taken when it is created.
            if (Interlocked.Increment(ref reads) == 1)
            {
                return new PortableSystemProbe().Read();
            }
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            return new PortableSystemProbe().Read();
        }
    }
}
