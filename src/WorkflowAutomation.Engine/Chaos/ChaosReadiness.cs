using WorkflowAutomation.Configuration;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Chaos;

/// <summary>What one kind of fault needs on this machine, what is missing, and whether the configuration allows it (the seed's validate).</summary>
public sealed class ChaosReadiness
{
    public required string Fault { get; init; }
    /// <summary>CHAOS_ENABLED is true.</summary>
    public bool Allowed { get; init; }
    /// <summary>Everything the fault needs is here.</summary>
    public bool Available { get; init; }
    /// <summary>Allowed and available: the fault would run.</summary>
    public bool Ready => Allowed && Available;
    public required string Needs { get; init; }
    /// <summary>What is missing and how to get it; empty when nothing is.</summary>
    public string Missing { get; init; } = string.Empty;
}

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
        var netem = Netem.Missing();
        return
        [
            Item("Cpu", $"{Environment.ProcessorCount} cores; threads of this process (stress-ng not needed)", null),
            Item("Memory", $"free memory for the megabytes asked ({AvailableMegaBytes()} MB available now)", null),
            Item("Disk", "a writable folder on the filesystem to fill, with room above the free-space floor", null),
            Item("Process", "permission to signal the selected processes", OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? null : "run:<id> selectors need /proc (Linux)"),
            Item("Corruption", $"write access to the file and to {RollbackJournal.BackupFolder(state)} for its backup", null),
            Item("Network proxy", "a free port on 127.0.0.1 and the target host:port reachable", null),
            Item("Network netem", "Linux, root, tc and ip (iproute2)", netem),
            Item("Suite", "this module's pwsh to start a scratch daemon", null),
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
