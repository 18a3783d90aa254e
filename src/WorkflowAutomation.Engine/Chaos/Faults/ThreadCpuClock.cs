using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The CPU time of the calling thread. A burner thread counts what it really got, so on a
/// busy machine it neither overshoots nor pretends: on Linux through
/// clock_gettime(CLOCK_THREAD_CPUTIME_ID), elsewhere the wall clock stands in.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64)
        {
            if (ClockGetTime(ClockThreadCpuTime, out var spec) == 0)
            {
                return TimeSpan.FromTicks(spec.Seconds * TimeSpan.TicksPerSecond + spec.Nanoseconds / 100);
            }
        }
        return Stopwatch.GetElapsedTime(0);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec spec);
}
