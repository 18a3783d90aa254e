using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

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
