namespace WorkflowAutomation.Chaos;

/// <summary>Machine-wide CPU busy share from /proc/stat, between two readings.</summary>
internal sealed class ProcStat
{
    private (long Busy, long Total)? last;

    /// <summary>Busy percent of all cores since the previous call; null on the first call or off Linux.</summary>
    public double? BusyPercentSinceLast()
    {
        var now = Read();
        if (now is null)
        {
            return null;
        }
        var previous = last;
        last = now;
        if (previous is not { } before || now.Value.Total <= before.Total)
        {
            return null;
        }
        return 100.0 * (now.Value.Busy - before.Busy) / (now.Value.Total - before.Total);
    }

    public static (long Busy, long Total)? Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }
        var line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
        var total = fields.Take(8).Sum();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        return (total - idle, total);
    }
}
