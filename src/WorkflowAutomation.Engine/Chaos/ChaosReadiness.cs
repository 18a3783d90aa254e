using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>Checks, without changing anything, what each fault needs here.</summary>
public static class ChaosReadinessCheck
{
    public static IReadOnlyList<ChaosReadiness> Check(WorkflowConfiguration configuration, StateDirectory state)
    {
        var allowed = configuration.ChaosEnabled;
        var gate = allowed ? string.Empty : $"{ConfigurationKeys.ChaosEnabled.Name} is false (Set-WorkflowConfiguration -Name {ConfigurationKeys.ChaosEnabled.Name} -Value true, staging only)";
        ChaosReadiness Item(string fault, string needs, string? missing) => new()
        {
            Fault = fault,
            Allowed = allowed,
            Available = missing is null,
            Needs = needs,
            Missing = string.Join("; ", new[] { gate, missing ?? string.Empty }.Where(text => text.Length > 0)),
        };
        var proc = File.Exists("/proc/stat") ? null : "/proc/stat (Linux) to measure machine-wide load; the fault's own load is measured anyway";
        return
        [
            Item("Cpu", $"{Environment.ProcessorCount} cores; stress-ng when installed ({(HostCommand.Which("stress-ng") is { } stressNg ? "found: " + stressNg : "not installed: threads of this process do it")})", null),
            Item("Memory", $"free memory for the megabytes asked ({AvailableMegaBytes()} MB available now)", null),
            Item("Disk", "a writable folder on the filesystem to fill, with room above the free-space floor", null),
            Item("Process", "permission to signal the selected processes", OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? null : "run:<id> selectors need /proc (Linux)"),
            Item("Corruption", $"write access to the file and to {RollbackJournal.BackupFolder(state)} for its backup", null),
            Item("Network proxy", "a free port on 127.0.0.1 and the target host:port reachable", null),
            Item("Network netem", "Linux, root, tc and ip (iproute2), a kernel with netem, htb and u32", Netem.Missing()),
            Item("Suite", "this module's pwsh to start a scratch daemon; root (or unshare) for the tmpfs the disk experiment fills",
                OperatingSystem.IsLinux() && HostCommand.IsRoot() ? null : "root to mount the scratch tmpfs: without it the disk experiment fails saying so"),
            Item("Measurements", "/proc/stat and /proc/self/status", proc),
        ];
    }

    private static long AvailableMegaBytes()
    {
        if (File.Exists("/proc/meminfo"))
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
    }
}
