using System.Diagnostics;

namespace WorkflowAutomation.Chaos;

/// <summary>A process started by a fault (a load generator), told from a recycled pid by its start time.</summary>
internal static class LeftoverProcess
{
    /// <summary>The start time of a process, in UTC ticks, as the rollback journal records it.</summary>
    public static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;

    /// <summary>Kills the process and its children when it is still the one recorded; says what was done.</summary>
    public static string Kill(int pid, long startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (Math.Abs(StartTicks(process) - startTicks) >= TimeSpan.TicksPerSecond)
            {
                return "already gone (the pid belongs to another process now)";
            }
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            return "killed with its children";
        }
        catch (ArgumentException)
        {
            return "already gone";
        }
        catch (InvalidOperationException)
        {
            return "already gone";
        }
    }
}
