using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Free space on the state directory's volume: runs, logs and metrics stop being recorded
/// when it fills. Degraded under 1 GiB or 5%, Unhealthy under 100 MiB or 1%.
/// </summary>
public sealed class DiskHealthCheck(string folder, Func<string, (long Free, long Total)>? probe = null) : IHealthCheck
{
    public string Name => "Disk";

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        var (free, total) = (probe ?? Measure)(folder);
        var percent = total > 0 ? 100.0 * free / total : 100.0;
        var text = string.Create(CultureInfo.InvariantCulture, $"{free / (1024.0 * 1024 * 1024):0.##} GiB free ({percent:0.#}%) on the volume of {folder}");
        var result = free < 100L * 1024 * 1024 || percent < 1 ? HealthCheckResult.Unhealthy(Name, text)
            : free < 1024L * 1024 * 1024 || percent < 5 ? HealthCheckResult.Degraded(Name, text)
            : HealthCheckResult.Healthy(Name, text);
        return Task.FromResult(result);
    }

    private static (long, long) Measure(string folder)
    {
        var full = Path.GetFullPath(folder);
        // On Unix any path names its volume (statvfs); Windows wants the drive root.
        var drive = new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(full)! : full);
        return (drive.AvailableFreeSpace, drive.TotalSize);
    }
}
