using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

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
