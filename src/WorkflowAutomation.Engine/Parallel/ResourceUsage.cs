using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// CPU time used by this process and by its finished (reaped) child processes. Child time
/// is what process tasks cost, so it belongs in the executor's CPU utilisation; it is read
/// with getrusage where there is one, and left out on Windows.
/// </summary>
internal readonly record struct ResourceUsage(TimeSpan Self, TimeSpan Children)
{
    public static ResourceUsage Snapshot()
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime;
        var children = TimeSpan.Zero;
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                var status = OperatingSystem.IsLinux() ? LinuxGetrusage(RusageChildren, out var usage) : getrusage(RusageChildren, out usage);
                if (status == 0)
                {
                    children = usage.Total;
                }
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
                // No libc getrusage: report this process only.
            }
        }
        return new ResourceUsage(self, children);
    }

    /// <summary>CPU used since <paramref name="start"/> as a percentage of all cores over <paramref name="elapsed"/>.</summary>
    public double CpuPercentSince(ResourceUsage start, TimeSpan elapsed)
    {
        var used = (Self - start.Self) + (Children - start.Children);
        var available = elapsed.Ticks * (double)Environment.ProcessorCount;
        return available <= 0 ? 0 : Math.Min(100, 100.0 * used.Ticks / available);
    }

    private const int RusageChildren = -1;

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    // "libc" alone may resolve to a linker script on glibc systems; the soname is certain.
    [DllImport("libc.so.6", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int LinuxGetrusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;

        public readonly TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Seconds * TimeSpan.TicksPerSecond + Microseconds * 10);
    }

    // struct rusage: two timevals (user, system) then 14 longs the executor does not read.
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct RUsage
    {
        public TimeVal User;
        public TimeVal System;

        public readonly TimeSpan Total => User.ToTimeSpan() + System.ToTimeSpan();
    }
}
