using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

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
