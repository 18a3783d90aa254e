using System.Globalization;

namespace WorkflowAutomation.Chaos;

/// <summary>The CPU time of a process and its direct children (stress-ng's workers), from /proc.</summary>
internal static class ProcessTreeCpu
{
    /// <summary>Clock ticks per second of /proc/*/stat times (USER_HZ, 100 on every Linux build that matters).</summary>
    private const long UserHz = 100;

    /// <summary>User plus system time of the process and its children, in TimeSpan ticks; 0 off Linux.</summary>
    public static long Ticks(int root)
    {
        if (!Directory.Exists("/proc"))
        {
            return 0;
        }
        long total = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(folder);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || Read(folder) is not { } stat)
            {
                continue;
            }
            if (stat.Pid == root || stat.Parent == root)
            {
                total += stat.CpuTicks;
            }
        }
        return total * (TimeSpan.TicksPerSecond / UserHz);
    }

    private static (int Pid, int Parent, long CpuTicks)? Read(string folder)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(folder, "stat"));
            // The name in parentheses may hold spaces: the fields start after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var pid = int.Parse(Path.GetFileName(folder), CultureInfo.InvariantCulture);
            // Fields after the name: state ppid … utime (12th) stime (13th).
            return (pid, int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentException)
        {
            return null;
        }
    }
}
