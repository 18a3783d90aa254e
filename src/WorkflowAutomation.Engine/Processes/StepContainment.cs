using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace WorkflowAutomation.Processes;

/// <summary>How a step's escaped processes are found on Linux.</summary>
internal enum ContainmentMode
{
    /// <summary>Not Linux: only the process tree and the environment token.</summary>
    None,
    /// <summary>A cgroup v2 per step: every descendant, whatever it did to its environment, session or parent.</summary>
    Cgroup,
    /// <summary>The runner is a child subreaper: orphans re-parent to it and are found by their parent pid.</summary>
    Subreaper,
}

/// <summary>
/// Holds everything one step starts so that all of it ends with the step. The environment
/// token (<see cref="ProcessTree"/>) is dropped by <c>env -u</c>, and parent links are broken
/// by <c>setsid</c> or a subshell that exits; so on Linux the step also runs in a cgroup of
/// its own where one is writable (the step joins it before its command starts, as its
/// script's first command or through a one-line <c>sh</c> launcher, so not even its first
/// child escapes), and elsewhere this
/// process becomes a child subreaper (<c>PR_SET_CHILD_SUBREAPER</c>): orphans then re-parent
/// to it instead of to init, and a sweep finds them by their parent pid.
/// </summary>
internal sealed class StepContainment : IDisposable
{
    private const int SigKill = 9;
    private const int WNoHang = 1;
    private const int PrSetChildSubreaper = 36;
    private const string CgroupPrefix = "workflow-automation-";

    // Main processes of the steps running now: never taken for another step's orphan.
    private static readonly ConcurrentDictionary<int, string> Running = new();
    private static readonly Lazy<string?> CgroupBase = new(FindCgroupBase);
    private static int subreaperSet;

    private readonly string token;
    private readonly string? cgroup;
    private int mainPid;
    private long startTicks = long.MaxValue;

    private StepContainment(string token, string? cgroup)
    {
        this.token = token;
        this.cgroup = cgroup;
    }

    /// <summary>The mode steps use unless told otherwise: the best this machine allows.</summary>
    internal static ContainmentMode Mode { get; } =
        !OperatingSystem.IsLinux() ? ContainmentMode.None : CgroupBase.Value is not null ? ContainmentMode.Cgroup : ContainmentMode.Subreaper;

    /// <summary>A containment for one step, marked by its token.</summary>
    public static StepContainment Create(string token, ContainmentMode? forced = null)
    {
        var mode = forced ?? Mode;
        if (mode == ContainmentMode.Cgroup && CgroupBase.Value is { } root)
        {
            var folder = Path.Combine(root, CgroupPrefix + token);
            try
            {
                Directory.CreateDirectory(folder);
                return new StepContainment(token, folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                mode = ContainmentMode.Subreaper;
            }
        }
        if (mode == ContainmentMode.Subreaper && Interlocked.Exchange(ref subreaperSet, 1) == 0)
        {
            prctl(PrSetChildSubreaper, 1, 0, 0, 0);
        }
        return new StepContainment(token, null);
    }

    /// <summary>
    /// What to start instead of the program: in cgroup mode, a shell script (<c>sh -c</c>) that
    /// joins the cgroup as its first command, and any other program through a launcher that
    /// joins it, then execs the program.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments) Launch(string fileName, IReadOnlyList<string> arguments)
    {
        if (cgroup is null)
        {
            return (fileName, arguments);
        }
        if (ShellScriptIndex(fileName, arguments) is { } script)
        {
            // One exec fewer than the launcher (0.7 ms a step). Same line as the script's first,
            // so its line numbers stay; "|| :" so that errexit (-e) never ends the step here.
            var joined = arguments.ToArray();
            joined[script] = "{ echo $$ >" + ShellQuote(Path.Combine(cgroup, "cgroup.procs")) + "; } 2>/dev/null || :; " + joined[script];
            return (fileName, joined);
        }
        var resolved = fileName.Contains('/') ? fileName : OnPath(fileName);
        if (resolved is null || !File.Exists(resolved))
        {
            // Started directly, it fails with the usual "could not start" error.
            return (fileName, arguments);
        }
        var launcher = new List<string>(arguments.Count + 4)
        {
            "-c", "echo $$ 2>/dev/null >\"$0\"; exec \"$@\"", Path.Combine(cgroup, "cgroup.procs"), resolved,
        };
        launcher.AddRange(arguments);
        return ("/bin/sh", launcher);
    }

    /// <summary>Where a POSIX shell's script is in its arguments (the one after <c>-c</c>), or null for any other program.</summary>
    private static int? ShellScriptIndex(string fileName, IReadOnlyList<string> arguments)
    {
        if (Path.GetFileName(fileName) is not ("sh" or "bash" or "dash"))
        {
            return null;
        }
        for (var i = 0; i + 1 < arguments.Count; i++)
        {
            if (arguments[i] == "-c")
            {
                return i + 1;
            }
        }
        return null;
    }

    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    /// <summary>Notes the step's main process, so that sweeps of other steps leave it alone.</summary>
    public void Started(int pid)
    {
        mainPid = pid;
        Running[pid] = token;
        startTicks = StartTicks(pid) ?? long.MaxValue;
    }

    /// <summary>
    /// Kills everything the step left: its tree by token, its cgroup, or the orphans adopted
    /// since it started. Called at every step end, success included.
    /// </summary>
    public void Sweep()
    {
        if (cgroup is not null)
        {
            // The cgroup holds every descendant whatever it did to its environment: no need to
            // read every process's environment for the token as well.
            KillCgroup(cgroup);
            return;
        }
        ProcessTree.KillByToken(token);
        if (OperatingSystem.IsLinux() && Volatile.Read(ref subreaperSet) == 1)
        {
            KillAdoptedOrphans();
        }
    }

    public void Dispose()
    {
        Running.TryRemove(mainPid, out _);
        if (cgroup is not null)
        {
            RemoveCgroup(cgroup);
        }
    }

    /// <summary>Removes the empty step cgroups a killed process left behind.</summary>
    public static void RemoveLeftoverCgroups()
    {
        if (CgroupBase.Value is not { } root)
        {
            return;
        }
        // Only old empty ones: a populated or new one belongs to a step of a process that still runs.
        foreach (var folder in Directory.EnumerateDirectories(root, CgroupPrefix + "*"))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < TimeSpan.FromMinutes(1))
            {
                continue;
            }
            try
            {
                Directory.Delete(folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Still in use.
            }
        }
    }

    private static void KillCgroup(string folder)
    {
        var killFile = Path.Combine(folder, "cgroup.kill");
        try
        {
            if (File.Exists(killFile))
            {
                File.WriteAllText(killFile, "1");
                return;
            }
            // Kernels before 5.14: kill what is listed, twice for processes forked meanwhile.
            for (var pass = 0; pass < 2; pass++)
            {
                foreach (var line in File.ReadAllLines(Path.Combine(folder, "cgroup.procs")))
                {
                    if (int.TryParse(line, out var pid))
                    {
                        kill(pid, SigKill);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Removed already, or not ours to kill.
        }
    }

    private static void RemoveCgroup(string folder)
    {
        // A killed process leaves its cgroup as it exits, a moment after the signal.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                Directory.Delete(folder);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>
    /// Orphans re-parented to this process since the step started, other than a running
    /// step's main process or a process marked with another step's token: killed and reaped
    /// (nobody else waits for them).
    /// </summary>
    private void KillAdoptedOrphans()
    {
        var self = Environment.ProcessId;
        var marker = Encoding.UTF8.GetBytes(ProcessTree.TokenVariable + "=");
        var killed = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == mainPid || Running.ContainsKey(pid))
            {
                continue;
            }
            if (ReadStat(pid) is not { } stat || stat.ParentPid != self || stat.StartTicks < startTicks || CarriesOtherToken(folder, marker))
            {
                continue;
            }
            if (kill(pid, SigKill) == 0)
            {
                killed.Add(pid);
            }
        }
        foreach (var pid in killed)
        {
            for (var i = 0; i < 100 && waitpid(pid, out _, WNoHang) == 0; i++)
            {
                Thread.Sleep(5);
            }
        }
    }

    private bool CarriesOtherToken(string folder, byte[] marker)
    {
        try
        {
            var environ = File.ReadAllBytes(Path.Combine(folder, "environ")).AsSpan();
            var at = environ.IndexOf(marker);
            if (at < 0)
            {
                return false;
            }
            var value = environ[(at + marker.Length)..];
            var end = value.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? value : value[..end]) != token;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static long? StartTicks(int pid) => ReadStat(pid)?.StartTicks;

    /// <summary>The parent pid (field 4) and start time (field 22) of /proc/[pid]/stat.</summary>
    private static (int ParentPid, long StartTicks)? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces and parentheses: fields count from the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>This process's cgroup in the v2 hierarchy, when it is mounted and this user may create cgroups in it.</summary>
    private static string? FindCgroupBase()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("WORKFLOW_AUTOMATION_NO_CGROUP") == "1")
        {
            return null;
        }
        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup").FirstOrDefault(line => line.StartsWith("0::", StringComparison.Ordinal))?[3..];
            var mount = File.ReadAllLines("/proc/self/mountinfo")
                .Select(line => line.Split(' '))
                .FirstOrDefault(fields => Array.IndexOf(fields, "-") is var dash and > 0 && dash + 1 < fields.Length && fields[dash + 1] == "cgroup2");
            if (own is null || mount is null)
            {
                return null;
            }
            var folder = Path.Combine(mount[4], own.TrimStart('/'));
            var probe = Path.Combine(folder, CgroupPrefix + "probe-" + Environment.ProcessId);
            Directory.CreateDirectory(probe);
            try
            {
                // Joining needs write access to the cgroup we leave as well as to the one we join.
                using (new FileStream(Path.Combine(folder, "cgroup.procs"), FileMode.Open, FileAccess.Write))
                using (new FileStream(Path.Combine(probe, "cgroup.procs"), FileMode.Open, FileAccess.Write))
                {
                }
            }
            finally
            {
                Directory.Delete(probe);
            }
            return folder;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
