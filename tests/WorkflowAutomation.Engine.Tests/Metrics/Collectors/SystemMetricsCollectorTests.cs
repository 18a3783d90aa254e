using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Metrics.Collectors;

namespace WorkflowAutomation.Tests.Metrics.Collectors;

/// <summary>The collector against a /proc tree with known contents, and against the real machine.</summary>
public sealed class SystemMetricsCollectorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(Start);
    private readonly MetricStore store;

    public SystemMetricsCollectorTests()
    {
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), time);
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    private string Proc => Path.Combine(folder.Path, "proc");

    private void WriteProc(ulong user, ulong system, ulong idle, ulong iowait, long rx, long tx, long availableKb)
    {
        folder.File("proc/stat", $"cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n");
        folder.File("proc/meminfo", $"MemTotal:       1000000 kB\nMemFree:         100 kB\nMemAvailable:   {availableKb} kB\n");
        folder.File("proc/net/dev",
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
            $"  eth0: {rx} 10 0 0 0 0 0 0 {tx} 20 0 0 0 0 0 0\n");
    }

    private double Latest(string name, string tags = "") =>
        store.Reader.Latest(name).Single(s => s.Tags == tags || tags == "").Value;

    [Fact]
    public void Cpu_memory_and_network_come_from_proc_differences()
    {
        WriteProc(user: 100, system: 100, idle: 700, iowait: 100, rx: 1000, tx: 5000, availableKb: 750000);
        var collector = new SystemMetricsCollector(store.Writer, time, new LinuxProcProbe(Proc));
        // 10 s later: 300 busy ticks out of 400 -> 75 %; 20,000 bytes in and 1,000 out in 10 s.
        WriteProc(user: 250, system: 250, idle: 750, iowait: 150, rx: 21000, tx: 6000, availableKb: 250000);
        time.Advance(TimeSpan.FromSeconds(10));
        collector.Collect();
        store.Writer.Flush();

        Assert.Equal(75, Latest("system.cpu.usage"));
        Assert.Equal(1000000 * 1024.0, Latest("system.memory.total"));
        Assert.Equal(750000 * 1024.0, Latest("system.memory.used"));
        Assert.Equal(75, Latest("system.memory.usage"));
        Assert.Equal(2000, Latest("system.network.receive.rate", "interface=eth0"));
        Assert.Equal(100, Latest("system.network.transmit.rate", "interface=eth0"));
        Assert.Equal(Start.AddSeconds(10), store.Reader.Latest("system.cpu.usage").Single().Timestamp);
    }

    [Fact]
    public void A_counter_that_went_backwards_gives_no_network_rate()
    {
        WriteProc(100, 100, 700, 100, rx: 9000, tx: 9000, availableKb: 500000);
        var collector = new SystemMetricsCollector(store.Writer, time, new LinuxProcProbe(Proc));
        WriteProc(200, 100, 800, 100, rx: 10, tx: 10, availableKb: 500000);
        time.Advance(TimeSpan.FromSeconds(10));
        collector.Collect();
        store.Writer.Flush();
        Assert.Empty(store.Reader.ListSeries("system.network.*"));
        Assert.Equal(50, Latest("system.cpu.usage"));
    }

    [Fact]
    public void The_real_machine_reports_disks_memory_and_this_process()
    {
        var collector = new SystemMetricsCollector(store.Writer, time);
        time.Advance(TimeSpan.FromSeconds(1));
        // The real /proc/stat counts in 10 ms ticks: let a few pass, or two reads can be identical.
        Thread.Sleep(50);
        Assert.True(collector.Collect() > 0);
        store.Writer.Flush();
        var names = store.Reader.ListSeries().Select(s => s.Name).ToHashSet();
        Assert.Contains("system.memory.total", names);
        Assert.Contains("system.disk.usage", names);
        Assert.Contains("process.memory.working_set", names);
        Assert.Contains("process.cpu.usage", names);
        Assert.InRange(Latest("process.memory.working_set"), 1, double.MaxValue);
        Assert.All(store.Reader.Latest("system.disk.usage"), d => Assert.InRange(d.Value, 0, 100));
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("system.cpu.usage", names);
            Assert.Contains(store.Reader.Latest("system.disk.usage"), d => d.Tags == "mount=/");
        }
    }

    [Fact]
    public void The_service_ticks_on_its_interval_and_stops()
    {
        WriteProc(100, 100, 700, 100, 0, 0, 500000);
        using var service = new MetricsCollectorService(store.Writer, TimeSpan.FromSeconds(15), time, new LinuxProcProbe(Proc),
            new MetricsInbox(folder.State, store.Writer));
        service.Start();
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(0, service.Ticks);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, service.Ticks);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(3, service.Ticks);
        service.Stop();
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, service.Ticks);
        Assert.Null(service.LastError);
        store.Writer.Flush();
        Assert.Equal(3, store.Query(new MetricQuery { Name = "system.memory.used", Start = Start, End = Start.AddMinutes(2) }).Count);
    }

    [Fact]
    public void The_service_takes_its_interval_from_METRICS_INTERVAL()
    {
        WorkflowAutomation.Configuration.WorkflowConfiguration.Set(folder.State, new Dictionary<string, string> { ["METRICS_INTERVAL"] = "2m" });
        var configuration = WorkflowAutomation.Configuration.WorkflowConfiguration.Load(folder.State,
            new WorkflowAutomation.Platform.DictionaryEnvironment(new Dictionary<string, string>()));
        using var service = MetricsCollectorService.FromConfiguration(store, folder.State, configuration, time);
        Assert.Equal(TimeSpan.FromMinutes(2), service.Interval);
        File.WriteAllText(Path.Combine(OwnerOnlyInbox(), "tick.json"), """[{"name": "from.inbox", "value": 5}]""");
        service.Start();
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, service.Ticks);
        Assert.Equal(1, service.LastInboxResult!.FilesIngested);
        store.Writer.Flush();
        Assert.Equal(5, Latest("from.inbox"));
    }

    private string OwnerOnlyInbox() => WorkflowAutomation.Platform.OwnerOnly.CreateDirectory(folder.State.MetricsInbox);
}
