using System.Globalization;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Execution;

/// <summary>
/// The processes that share this process's group: what a script run inside this process
/// (a pwsh step in a runspace) started, orphaned grandchildren included. Steps run as
/// processes lead groups of their own and are never touched here. Linux only (/proc);
/// elsewhere PowerShell's own stop is relied on.
/// </summary>
public static class ProcessGroup
{
    private const int SigKill = 9;
    private const int ClockTicksName = 2; // _SC_CLK_TCK on Linux

    /// <summary>A point in time to kill from: the clock, in the kernel's ticks since boot.</summary>
    public static long Mark()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        try
        {
            var uptime = File.ReadAllText("/proc/uptime").Split(' ')[0];
            // A tick of margin: a child started in the same tick must still count as started after.
            return (long)(double.Parse(uptime, CultureInfo.InvariantCulture) * TicksPerSecond()) - 1;
        }
        catch (Exception exception) when (exception is IOException or FormatException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>Kills every other member of this process's group started at or after <paramref name="mark"/>.</summary>
    public static int KillStartedSince(long mark)
    {
        if (!OperatingSystem.IsLinux() || mark == long.MaxValue)
        {
            return 0;
        }
        var self = Environment.ProcessId;
        var group = GetProcessGroup(0);
        var killed = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && pid != self
                && Stat(folder) is { } stat && stat.Group == group && stat.StartTicks >= mark
                && SendSignal(pid, SigKill) == 0)
            {
                killed++;
            }
        }
        return killed;
    }

    private static (int Group, long StartTicks)? Stat(string folder)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
            var stat = File.ReadAllText(Path.Combine(folder, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "(comm) ": [0]=state [1]=ppid [2]=pgrp ... [19]=starttime.
            return (int.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static long TicksPerSecond()
    {
        var ticks = SystemConfiguration(ClockTicksName);
        return ticks > 0 ? ticks : 100;
    }

    [DllImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static extern int GetProcessGroup(int pid);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [DllImport("libc", EntryPoint = "sysconf", SetLastError = true)]
    private static extern long SystemConfiguration(int name);
}
