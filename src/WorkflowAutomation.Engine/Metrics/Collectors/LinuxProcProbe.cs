using System.Globalization;

namespace WorkflowAutomation.Metrics.Collectors;

/// <summary>
/// Reads the machine from a /proc tree (/proc/stat, /proc/meminfo, /proc/net/dev); disks and
/// this process come from the portable probe. The root is a parameter so that tests can feed
/// known files.
/// </summary>
public sealed class LinuxProcProbe(string procRoot = "/proc") : ISystemProbe
{
    private readonly PortableSystemProbe portable = new();

    public SystemSnapshot Read()
    {
        var basis = portable.Read();
        var memory = ReadMemory();
        return new SystemSnapshot
        {
            CpuTimes = ReadCpu(),
            MemoryTotalBytes = memory.Total ?? basis.MemoryTotalBytes,
            MemoryAvailableBytes = memory.Available,
            Disks = basis.Disks,
            Network = ReadNetwork(),
            ProcessCpuTime = basis.ProcessCpuTime,
            ProcessWorkingSetBytes = basis.ProcessWorkingSetBytes,
            ProcessManagedBytes = basis.ProcessManagedBytes,
        };
    }

    private (ulong, ulong)? ReadCpu()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is
        // already inside user and nice, so it is not added again; idle and iowait are not busy.
        var line = ReadLines("stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Aggregate(0UL, (sum, f) => sum + f);
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        return (total - idle, total);
    }

    private (long? Total, long? Available) ReadMemory()
    {
        long? total = null, available = null;
        foreach (var line in ReadLines("meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = Kilobytes(line);
            }
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                available = Kilobytes(line);
            }
        }
        return (total, available);
    }

    private List<NetworkCounters> ReadNetwork()
    {
        // "  eth0: rx_bytes rx_packets ... (8 receive fields) tx_bytes ..."; the first two lines are headers.
        var list = new List<NetworkCounters>();
        foreach (var line in ReadLines("net/dev").Skip(2))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 9)
            {
                list.Add(new NetworkCounters(line[..colon].Trim(),
                    long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[8], CultureInfo.InvariantCulture)));
            }
        }
        return list;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private IEnumerable<string> ReadLines(string relative)
    {
        var path = Path.Combine(procRoot, relative);
        return File.Exists(path) ? File.ReadLines(path) : [];
    }
}
