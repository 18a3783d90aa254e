using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Free space on the state directory's volume: runs, logs and metrics stop being recorded
/// when it fills. Degraded under 5 % free, or under 1 GiB on a volume where that is less than
/// a tenth (a small dedicated volume is judged by its share alone). Never Unhealthy: a daemon
/// on a full disk still answers, runs and serves the dashboard, and restarting it would not
/// give any space back, so /healthz must not ask for a restart.
/// </summary>
public sealed class DiskHealthCheck(string folder, Func<string, (long Free, long Total)>? probe = null) : IHealthCheck
{
    private const long LowSpaceBytes = 1024L * 1024 * 1024;

    public string Name => "Disk";

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        var (free, total) = (probe ?? Measure)(folder);
        var percent = total > 0 ? 100.0 * free / total : 100.0;
        var text = string.Create(CultureInfo.InvariantCulture, $"{free / (1024.0 * 1024 * 1024):0.##} GiB free ({percent:0.#}%) on the volume of {folder}");
        var low = free < Math.Min(LowSpaceBytes, total / 10) || percent < 5;
        var result = low
            ? HealthCheckResult.Degraded(Name, text + (free <= 0 ? "; the volume is full: nothing new is recorded until space is freed" : "; free space before it fills"))
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
