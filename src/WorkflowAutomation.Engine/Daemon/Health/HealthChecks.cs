using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>A named probe of one thing the daemon depends on.</summary>
public interface IHealthCheck
{
    string Name { get; }

    Task<HealthCheckResult> CheckAsync(CancellationToken cancellation);
}

/// <summary>The daemon's database answers a query.</summary>
public sealed class DatabaseHealthCheck(DaemonDatabase database) : IHealthCheck
{
    public string Name => "Database";

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        try
        {
            database.Ping();
            return Task.FromResult(HealthCheckResult.Healthy(Name, database.Path + " answers"));
        }
        catch (Exception exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(Name, $"{database.Path} does not answer: {exception.Message}"));
        }
    }
}

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

/// <summary>The scheduler loop has ticked recently (a stuck loop means schedules and the queue stall).</summary>
public sealed class HeartbeatHealthCheck(string name, Func<DateTimeOffset?> lastBeat, TimeSpan allowed, TimeProvider time) : IHealthCheck
{
    public string Name => name;

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        var beat = lastBeat();
        var now = time.GetUtcNow();
        if (beat is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(Name, "has not run yet"));
        }
        var age = now - beat.Value;
        return Task.FromResult(age > allowed
            ? HealthCheckResult.Unhealthy(Name, string.Create(CultureInfo.InvariantCulture, $"last ran {age.TotalSeconds:0} s ago (allowed {allowed.TotalSeconds:0} s)"))
            : HealthCheckResult.Healthy(Name, string.Create(CultureInfo.InvariantCulture, $"last ran {age.TotalMilliseconds:0} ms ago")));
    }
}

/// <summary>The socket exists, is owner-only, and a client can connect and get an answer.</summary>
public sealed class SocketHealthCheck(DaemonPaths paths) : IHealthCheck
{
    public string Name => "Socket";

    public async Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (!File.Exists(paths.Socket))
            {
                return HealthCheckResult.Unhealthy(Name, $"{paths.Socket} is missing: cmdlets cannot reach the daemon");
            }
            var mode = File.GetUnixFileMode(paths.Socket);
            if ((mode & ~OwnerOnly.OwnerFileMode & (UnixFileMode)0x1FF) != 0)
            {
                return HealthCheckResult.Unhealthy(Name, $"{paths.Socket} is reachable by other users (mode {Convert.ToString((int)mode & 0x1FF, 8)})");
            }
        }
        try
        {
            using var client = DaemonClient.Connect(paths.State, TimeSpan.FromSeconds(2));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.SendAsync<string>(DaemonOperations.Ping, null, timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy(Name, "answers on " + (OperatingSystem.IsWindows() ? paths.PipeName : paths.Socket));
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy(Name, "does not answer: " + exception.Message);
        }
    }
}
