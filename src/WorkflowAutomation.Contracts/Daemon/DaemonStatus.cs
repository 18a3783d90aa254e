namespace WorkflowAutomation.Daemon;

/// <summary>The lifecycle state of a daemon.</summary>
public enum DaemonState
{
    Stopped,
    Starting,
    Running,
    Stopping,
}

/// <summary>How healthy a daemon, or one of its checks, is.</summary>
public enum HealthStatus
{
    Healthy,
    Degraded,
    Unhealthy,
}

/// <summary>How the daemon process was started.</summary>
public enum DaemonMode
{
    /// <summary>Blocking the session that started it (systemd Type=simple, containers, scheduled tasks).</summary>
    Foreground,
    /// <summary>A process of its own that outlives the session, watched by a supervisor.</summary>
    Detached,
    /// <summary>Hosted as a PowerShell job of the session that started it.</summary>
    Job,
}

/// <summary>What Get-WorkflowDaemon shows.</summary>
public sealed class DaemonStatus
{
    public DaemonState State { get; init; }
    public int? ProcessId { get; init; }
    public DaemonMode? Mode { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public TimeSpan? Uptime { get; init; }
    public HealthStatus? Health { get; init; }
    /// <summary>Why the daemon is not Healthy, one line per failing check.</summary>
    public IReadOnlyList<string> HealthReasons { get; init; } = [];
    public IReadOnlyList<HealthCheckResult> HealthChecks { get; init; } = [];
    /// <summary>Accepted runs waiting for a free slot.</summary>
    public int QueueDepth { get; init; }
    /// <summary>Ids of the runs executing now.</summary>
    public IReadOnlyList<string> RunningRuns { get; init; } = [];
    /// <summary>Runs waiting for an approval.</summary>
    public int WaitingForApproval { get; init; }
    public int OpenBreakers { get; init; }
    public int HalfOpenBreakers { get; init; }
    /// <summary>The dashboard port recorded at start; null when started with -NoDashboard.</summary>
    public int? DashboardPort { get; init; }
    /// <summary>Where the dashboard listens (without the token); null when it does not.</summary>
    public string? DashboardUrl { get; init; }
    public required string StateDirectory { get; init; }
    public string? LogFile { get; init; }

    /// <summary>A one-word summary of the breakers, for the table view.</summary>
    public string Breakers => OpenBreakers == 0 && HalfOpenBreakers == 0 ? "all closed" : $"{OpenBreakers} open, {HalfOpenBreakers} half-open";

    public override string ToString() => $"{State} {ProcessId} {Health}";
}
