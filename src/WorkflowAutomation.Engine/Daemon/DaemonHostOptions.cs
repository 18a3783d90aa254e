using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Execution;

namespace WorkflowAutomation.Daemon;

/// <summary>How a daemon host runs; everything has a default fit for production.</summary>
public sealed class DaemonHostOptions
{
    public DaemonMode Mode { get; init; } = DaemonMode.Foreground;

    /// <summary>Recorded for the dashboard; null with -NoDashboard.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>The configuration; loaded from the state directory when null.</summary>
    public WorkflowConfiguration? Configuration { get; init; }

    /// <summary>The clock. The default value is the system clock; tests pass a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long a graceful stop lets running steps finish. The default value is 30 seconds.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the scheduler looks at schedules and the queue. The default value is 1 second.</summary>
    public TimeSpan SchedulerTick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the daemon stays quiet (nothing queued or running) before it gives back the memory its busy spell took. The default value is 2 seconds.</summary>
    public TimeSpan IdleMemoryTrim { get; init; } = IdleMemory.DefaultQuiet;

    /// <summary>Overrides HEALTH_CHECK_INTERVAL (tests).</summary>
    public TimeSpan? HealthCheckInterval { get; init; }

    /// <summary>Size at which the log rotates. The default value is 10 MiB.</summary>
    public long LogMaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Runs pwsh steps; the module passes one that reuses runspaces. The default runs pwsh processes.</summary>
    public IScriptHost? ScriptHost { get; init; }

    /// <summary>Parts started after the daemon's work and stopped before it (the dashboard). The default value is none.</summary>
    public IReadOnlyList<IDaemonComponent> Components { get; init; } = [];

    /// <summary>Handles SIGTERM itself (a process of its own, not a job inside someone's session).</summary>
    public bool HandleTerminationSignal { get; init; }

    /// <summary>Limits on the socket's clients: connections, timeouts, memory.</summary>
    public IpcServerOptions Ipc { get; init; } = new();
}
