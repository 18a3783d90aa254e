using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Starting a process as the leader of its own process group, and killing that group with
/// everything in it. Killing by parent/child links alone misses grandchildren that were
/// orphaned (<c>sleep 60 &amp;</c>) and processes that ignore SIGTERM; a group kill with
/// SIGKILL reaches both.
/// </summary>
internal static class ProcessTree
{
    private const int SigKill = 9;
    private static readonly string? SetsidPath = FindSetsid();

    /// <summary>True when children start in their own session, so the whole group can be killed.</summary>
    public static bool UsesProcessGroups => SetsidPath is not null;

    /// <summary>Fills a start info so the process leads a new session when the platform allows it.</summary>
    public static void Configure(ProcessStartInfo info, string fileName, IReadOnlyList<string> arguments)
    {
        if (SetsidPath is not null)
        {
            // setsid(1) calls setsid() then execs the command: same pid, now a group leader.
            info.FileName = SetsidPath;
            info.ArgumentList.Add(fileName);
        }
        else
        {
            info.FileName = fileName;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
    }

    /// <summary>Kills the process, its process group and every descendant still linked to it.</summary>
    public static void Kill(Process process)
    {
        int pid;
        try
        {
            pid = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }
        if (UsesProcessGroups && !OperatingSystem.IsWindows())
        {
            // Negative pid: the whole process group, including orphaned grandchildren.
            _ = SendSignal(-pid, SigKill);
        }
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>Kills what is left of a process group after its leader exited (orphans holding the output pipes).</summary>
    public static void KillGroup(int leaderPid)
    {
        if (UsesProcessGroups && !OperatingSystem.IsWindows())
        {
            _ = SendSignal(-leaderPid, SigKill);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static string? FindSetsid()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        foreach (var candidate in new[] { "/usr/bin/setsid", "/bin/setsid" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
