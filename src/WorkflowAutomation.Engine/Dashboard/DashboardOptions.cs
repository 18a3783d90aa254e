namespace WorkflowAutomation.Dashboard;

/// <summary>Where and how the dashboard listens.</summary>
public sealed class DashboardOptions
{
    /// <summary>The TCP port. The default value is 8080 (DASHBOARD_PORT).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The address to listen on. The default value is 127.0.0.1 (DASHBOARD_BIND); anything else is logged as a warning.</summary>
    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>
    /// How often the stores are looked at for changes while a page is open (runs of sessions,
    /// breakers, health, metrics); the daemon's own runs are pushed at once. The default value is 500 ms.
    /// </summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Where chaos results come from; none until chaos testing provides them.</summary>
    public Chaos.IChaosResultSource ChaosResults { get; init; } = Chaos.NoChaosResults.Instance;

    /// <summary>The clock. The default value is the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
