using System.Globalization;

namespace WorkflowAutomation.Hermetic;

/// <summary>How limits are enforced on this machine.</summary>
public enum LimitMechanism
{
    None,
    CgroupV2,
    CgroupV1,
    /// <summary>setrlimit (ulimit -v): allocations beyond the limit fail; CPU share cannot be limited this way.</summary>
    Rlimit,
}

/// <summary>
/// Memory and CPU limits for one process tree: a cgroup (v2, else v1) where the cgroup
/// file system is writable, else an address-space rlimit. The process joins the group
/// before it execs the command (through a small sh prefix), so its children are limited
/// too. Dispose ends what is left in the group and removes it.
/// </summary>
public sealed class ResourceLimits : IDisposable
{
    private const string Root = "/sys/fs/cgroup";
    private readonly List<string> groups = [];

    private ResourceLimits(int? memoryMb, int? cpuPercent)
    {
        MemoryMb = memoryMb;
        CpuPercent = cpuPercent;
    }

    public int? MemoryMb { get; }

    public int? CpuPercent { get; }

    public LimitMechanism Mechanism { get; private set; }

    /// <summary>What could not be enforced, for the user to read.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Variables the sh prefix reads: the cgroup.procs files to join and the rlimit.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>The sh prefix that joins the groups, applies the rlimit and execs the command.</summary>
    public static readonly string[] Prefix =
    [
        "/bin/sh", "-c",
        "for p in $HERMETIC_CGROUP_PROCS; do echo $$ > \"$p\" || exit 125; done; " +
        "if [ -n \"$HERMETIC_ULIMIT_KB\" ]; then ulimit -v \"$HERMETIC_ULIMIT_KB\" || exit 125; fi; " +
        "unset HERMETIC_CGROUP_PROCS HERMETIC_ULIMIT_KB; exec \"$@\"",
        "hermetic-limits",
    ];

    public static ResourceLimits Create(int? memoryMb, int? cpuPercent)
    {
        var limits = new ResourceLimits(memoryMb, cpuPercent);
        if (OperatingSystem.IsWindows() || (memoryMb is null && cpuPercent is null))
        {
            if (memoryMb is not null || cpuPercent is not null)
            {
                limits.Notes.Add("Resource limits are not enforced on Windows.");
            }
            return limits;
        }
        var id = $"wa-{Environment.ProcessId}-{Guid.NewGuid():n}"[..24];
        if (limits.TryCgroupV2(id) || limits.TryCgroupV1(id))
        {
            return limits;
        }
        limits.Mechanism = LimitMechanism.Rlimit;
        if (memoryMb is { } memory)
        {
            limits.Variables["HERMETIC_ULIMIT_KB"] = (memory * 1024L).ToString(CultureInfo.InvariantCulture);
        }
        if (cpuPercent is not null)
        {
            limits.Notes.Add("cpu_percent needs a writable cgroup file system; it is not enforced on this machine.");
        }
        return limits;
    }

    private bool TryCgroupV2(string id)
    {
        var controllers = Path.Combine(Root, "cgroup.controllers");
        if (!File.Exists(controllers))
        {
            return false;
        }
        try
        {
            var parent = Path.Combine(Root, "workflow-automation");
            Directory.CreateDirectory(parent);
            var wanted = (MemoryMb is null ? "" : "+memory ") + (CpuPercent is null ? "" : "+cpu");
            File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), wanted.Trim());
            var group = Path.Combine(parent, id);
            Directory.CreateDirectory(group);
            groups.Add(group);
            if (MemoryMb is { } memory)
            {
                File.WriteAllText(Path.Combine(group, "memory.max"), (memory * 1024L * 1024L).ToString(CultureInfo.InvariantCulture));
                TryWrite(Path.Combine(group, "memory.swap.max"), "0");
            }
            if (CpuPercent is { } cpu)
            {
                File.WriteAllText(Path.Combine(group, "cpu.max"), $"{cpu * 1000} 100000");
            }
            Variables["HERMETIC_CGROUP_PROCS"] = Path.Combine(group, "cgroup.procs");
            Mechanism = LimitMechanism.CgroupV2;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            RemoveGroups();
            return false;
        }
    }

    private bool TryCgroupV1(string id)
    {
        try
        {
            var procs = new List<string>();
            if (MemoryMb is { } memory)
            {
                var group = Group("memory", id);
                var bytes = (memory * 1024L * 1024L).ToString(CultureInfo.InvariantCulture);
                File.WriteAllText(Path.Combine(group, "memory.limit_in_bytes"), bytes);
                // Swap counts too, or the kernel pages the step out instead of stopping it.
                TryWrite(Path.Combine(group, "memory.memsw.limit_in_bytes"), bytes);
                procs.Add(Path.Combine(group, "cgroup.procs"));
            }
            if (CpuPercent is { } cpu)
            {
                var group = Group("cpu", id);
                File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), "100000");
                File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), (cpu * 1000).ToString(CultureInfo.InvariantCulture));
                procs.Add(Path.Combine(group, "cgroup.procs"));
            }
            Variables["HERMETIC_CGROUP_PROCS"] = string.Join(' ', procs);
            Mechanism = LimitMechanism.CgroupV1;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            RemoveGroups();
            return false;
        }
    }

    private string Group(string controller, string id)
    {
        var hierarchy = Path.Combine(Root, controller);
        if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs")))
        {
            throw new IOException($"No cgroup v1 '{controller}' hierarchy.");
        }
        var group = Path.Combine(hierarchy, "workflow-automation", id);
        Directory.CreateDirectory(group);
        groups.Add(group);
        return group;
    }

    /// <summary>True when the kernel killed the process tree for going over the memory limit.</summary>
    public bool MemoryExceeded()
    {
        foreach (var group in groups)
        {
            foreach (var file in new[] { "memory.events", "memory.oom_control" })
            {
                var path = Path.Combine(group, file);
                if (!File.Exists(path))
                {
                    continue;
                }
                foreach (var line in File.ReadAllLines(path))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 2 && parts[0] == "oom_kill" && long.TryParse(parts[1], out var kills) && kills > 0)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>The sentence a failed step or command is reported with, when the limits explain it.</summary>
    public string? Explain(int exitCode)
    {
        if (exitCode == 0 || MemoryMb is not { } memory)
        {
            return null;
        }
        if (MemoryExceeded())
        {
            return $"Stopped: it exceeded its memory limit of {memory} MB and the kernel ended it (cgroup OOM kill).";
        }
        return Mechanism == LimitMechanism.Rlimit
            ? $"Exited with code {exitCode} under its memory limit of {memory} MB (enforced with an rlimit here: allocations beyond it fail)."
            : null;
    }

    private static void TryWrite(string path, string value)
    {
        try
        {
            if (File.Exists(path))
            {
                File.WriteAllText(path, value);
            }
        }
        catch (IOException)
        {
        }
    }

    private void RemoveGroups()
    {
        foreach (var group in groups)
        {
            var procs = Path.Combine(group, "cgroup.procs");
            for (var attempt = 0; attempt < 20 && Directory.Exists(group); attempt++)
            {
                try
                {
                    if (File.Exists(procs))
                    {
                        foreach (var pid in File.ReadAllLines(procs).Where(l => l.Length > 0))
                        {
                            try
                            {
                                System.Diagnostics.Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture)).Kill();
                            }
                            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
                            {
                            }
                        }
                    }
                    Directory.Delete(group);
                }
                catch (IOException)
                {
                    Thread.Sleep(10);
                }
            }
        }
        groups.Clear();
    }

    public void Dispose() => RemoveGroups();
}
