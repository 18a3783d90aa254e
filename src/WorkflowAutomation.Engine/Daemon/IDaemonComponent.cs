namespace WorkflowAutomation.Daemon;

/// <summary>
/// A part of the daemon that the host starts after its own work is running, stops before its
/// work stops, and asks for its health (the dashboard is one). The host knows only this
/// interface, so such parts can depend on the daemon without the daemon depending on them.
/// </summary>
public interface IDaemonComponent
{
    /// <summary>The name its health check and log lines carry.</summary>
    string Name { get; }

    /// <summary>Where it serves people (a URL), or null.</summary>
    string? Address { get; }

    /// <summary>
    /// Starts it. A failure is the component's own: it logs it and reports it through
    /// <see cref="CheckHealth"/>, and the daemon keeps running without it.
    /// </summary>
    Task StartAsync(DaemonHost host, CancellationToken cancellation);

    /// <summary>Stops it; called once, also after a failed start.</summary>
    Task StopAsync();

    /// <summary>Its health now (it has no failing parts: Healthy).</summary>
    HealthCheckResult CheckHealth();
}

/// <summary>Puts a component's own health into the daemon's health report.</summary>
internal sealed class ComponentHealthCheck(IDaemonComponent component) : IHealthCheck
{
    public string Name => component.Name;

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation) => Task.FromResult(component.CheckHealth());
}
