namespace WorkflowAutomation.Metrics.Collectors;

/// <summary>
/// Turns two snapshots into samples: system.cpu.usage (%), system.memory.total/used (bytes)
/// and usage (%), system.disk.total/used (bytes) and usage (%) per mount,
/// system.network.receive.rate and transmit.rate (bytes/s) per interface, and this process's
/// process.cpu.usage (% of the whole machine), process.memory.working_set and
/// process.memory.managed (bytes). The baseline is taken when the collector is created, so the
/// first <see cref="Collect"/> already reports rates.
/// </summary>
public sealed class SystemMetricsCollector
{
    private readonly MetricsWriter writer;
    private readonly TimeProvider time;
    private readonly ISystemProbe probe;
    private SystemSnapshot previous;
    private DateTimeOffset previousAt;

    public SystemMetricsCollector(MetricsWriter writer, TimeProvider? time = null, ISystemProbe? probe = null)
    {
        this.writer = writer;
        this.time = time ?? TimeProvider.System;
        this.probe = probe ?? DefaultProbe();
        previous = this.probe.Read();
        previousAt = this.time.GetUtcNow();
    }

    /// <summary>/proc on Linux, the portable .NET readings elsewhere.</summary>
    public static ISystemProbe DefaultProbe() => OperatingSystem.IsLinux() ? new LinuxProcProbe() : new PortableSystemProbe();

    /// <summary>Takes a snapshot and records its samples (all stamped now); returns how many.</summary>
    public int Collect()
    {
        var current = probe.Read();
        var now = time.GetUtcNow();
        var seconds = (now - previousAt).TotalSeconds;
        var count = 0;

        if (current.CpuTimes is { } cpu && previous.CpuTimes is { } before && cpu.Total > before.Total)
        {
            count += Gauge("system.cpu.usage", 100.0 * (cpu.Busy - before.Busy) / (cpu.Total - before.Total));
        }
        if (current.MemoryTotalBytes is { } total)
        {
            count += Gauge("system.memory.total", total);
            if (current.MemoryAvailableBytes is { } available)
            {
                count += Gauge("system.memory.used", total - available);
                count += Gauge("system.memory.usage", total == 0 ? 0 : 100.0 * (total - available) / total);
            }
        }
        foreach (var disk in current.Disks)
        {
            var tags = new Dictionary<string, string> { ["mount"] = disk.Mount };
            count += Gauge("system.disk.total", disk.TotalBytes, tags);
            count += Gauge("system.disk.used", disk.TotalBytes - disk.FreeBytes, tags);
            count += Gauge("system.disk.usage", 100.0 * (disk.TotalBytes - disk.FreeBytes) / disk.TotalBytes, tags);
        }
        if (seconds > 0)
        {
            foreach (var network in current.Network)
            {
                // An interface that was reset (or is new) has no meaningful rate this time.
                if (previous.Network.FirstOrDefault(n => n.Interface == network.Interface) is { } last
                    && network.ReceivedBytes >= last.ReceivedBytes && network.SentBytes >= last.SentBytes)
                {
                    var tags = new Dictionary<string, string> { ["interface"] = network.Interface };
                    count += Gauge("system.network.receive.rate", (network.ReceivedBytes - last.ReceivedBytes) / seconds, tags);
                    count += Gauge("system.network.transmit.rate", (network.SentBytes - last.SentBytes) / seconds, tags);
                }
            }
            var cpuSeconds = (current.ProcessCpuTime - previous.ProcessCpuTime).TotalSeconds;
            count += Gauge("process.cpu.usage", Math.Max(0, 100.0 * cpuSeconds / (seconds * Environment.ProcessorCount)));
        }
        count += Gauge("process.memory.working_set", current.ProcessWorkingSetBytes);
        count += Gauge("process.memory.managed", current.ProcessManagedBytes);

        previous = current;
        previousAt = now;
        return count;
    }

    private int Gauge(string name, double value, IReadOnlyDictionary<string, string>? tags = null)
    {
        writer.Record(name, value, MetricType.Gauge, tags);
        return 1;
    }
}
