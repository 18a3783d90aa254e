using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace WorkflowAutomation.Processes;

/// <summary>
/// Finds and kills everything a step started. Parent/child links alone miss grandchildren
/// that were orphaned (<c>sleep 60 &amp;</c> in a shell that then exited); so every step
/// carries a unique token in an environment variable that its descendants inherit, and on
/// Linux a kill also sweeps every process whose environment holds the token. SIGKILL is
/// used, which a process cannot ignore. The sweep reads /proc only when killing, so starting
/// a step costs nothing extra (no setsid launcher).
/// </summary>
public static class ProcessTree
{
    /// <summary>The environment variable that marks a step's processes.</summary>
    public const string TokenVariable = "WORKFLOW_AUTOMATION_TREE";

    private const int SigKill = 9;

    /// <summary>A new token for one step's process tree.</summary>
    public static string NewToken() => Guid.NewGuid().ToString("n");

    /// <summary>Kills the process with its descendants, then every other process carrying the token.</summary>
    public static void Kill(Process process, string token)
    {
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
        KillByToken(token);
    }

    /// <summary>Kills every process (other than this one) whose environment carries the token. Linux only.</summary>
    public static int KillByToken(string token) => KillByEnvironment(TokenVariable, token);

    /// <summary>
    /// Kills every process (other than this one) whose environment carries a token that was
    /// first handed out after <paramref name="since"/>: only processes started since then are read.
    /// </summary>
    public static int KillByToken(string token, PidMark since) => KillByEnvironment(TokenVariable, token, since);

    /// <summary>
    /// Kills every process (other than this one) started with <paramref name="variable"/> set
    /// to <paramref name="value"/>, such as every step process of a run (WORKFLOW_RUN_ID). Linux only.
    /// With <paramref name="since"/> taken before anything carried the value, only the processes
    /// started since are read, instead of every process's environment (most of a short step's
    /// cost on a busy machine).
    /// </summary>
    public static int KillByEnvironment(string variable, string value, PidMark? since = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var marker = Encoding.UTF8.GetBytes($"{variable}={value}\0");
        var self = Environment.ProcessId;
        var killed = 0;
        var mark = since;
        // Again after a kill: a process may have forked between the scan and the signal. A scan
        // that finds nothing (the usual step end) is not repeated.
        int found;
        do
        {
            found = 0;
            var now = PidMark.Take();
            foreach (var pid in mark is { } from ? from.StartedUntil(now) ?? AllProcesses() : AllProcesses())
            {
                if (pid != self && Carries($"/proc/{pid}", marker) && SendSignal(pid, SigKill) == 0)
                {
                    found++;
                }
            }
            killed += found;
            mark = now;
        }
        while (found > 0 && killed < 100_000);
        return killed;
    }

    private static IEnumerable<int> AllProcesses()
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid))
            {
                yield return pid;
            }
        }
    }

    private static bool Carries(string folder, byte[] marker)
    {
        try
        {
            var environ = File.ReadAllBytes(Path.Combine(folder, "environ"));
            return environ.AsSpan().IndexOf(marker) >= 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just ended.
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
