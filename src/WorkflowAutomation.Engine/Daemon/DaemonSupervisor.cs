using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Watches a detached daemon and restarts it when it dies without a clean stop (a clean
/// stop removes the pid file; a crash or kill -9 leaves it). Restarts back off
/// exponentially and stop after AUTO_RESTART_MAX_PER_HOUR in an hour.
/// </summary>
public sealed class DaemonSupervisor
{
    private readonly DaemonPaths paths;
    private readonly TimeProvider time;
    private readonly Func<bool> daemonAlive;
    private readonly Action startDaemon;
    private readonly int maxPerHour;
    private readonly List<DateTimeOffset> restarts = [];

    public DaemonSupervisor(DaemonPaths paths, int maxPerHour, TimeProvider time, Func<bool> daemonAlive, Action startDaemon)
    {
        this.paths = paths;
        this.maxPerHour = maxPerHour;
        this.time = time;
        this.daemonAlive = daemonAlive;
        this.startDaemon = startDaemon;
    }

    /// <summary>How often the daemon is looked at. The default value is 250 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Restarts made in the last hour.</summary>
    public int RecentRestarts => restarts.Count(at => time.GetUtcNow() - at < TimeSpan.FromHours(1));

    /// <summary>The entry point of the supervisor process started by Start-WorkflowDaemon.</summary>
    public static void Run(string pwshPath, string moduleManifest, int? dashboardPort, bool noDashboard)
    {
        var state = StateDirectory.Resolve();
        var paths = new DaemonPaths(state);
        var settings = new DaemonLaunchSettings { PwshPath = pwshPath, ModuleManifest = moduleManifest, DashboardPort = dashboardPort, NoDashboard = noDashboard };
        using var log = new DaemonLog(Path.Combine(state.LogsFolder, "supervisor.log"));
        OwnerOnly.WriteAllText(paths.SupervisorPidFile, Environment.ProcessId + "\n");
        try
        {
            var supervisor = new DaemonSupervisor(paths, WorkflowConfiguration.Load(state).AutoRestartMaxPerHour, TimeProvider.System,
                () => InstanceLock.IsHeld(paths),
                () =>
                {
                    using var process = DaemonLauncher.StartDaemon(paths, settings);
                    DaemonLauncher.WaitUntilRunning(paths, process, TimeSpan.FromSeconds(60), CancellationToken.None);
                });
            supervisor.RunAsync(log, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            if (DaemonPaths.ReadPid(paths.SupervisorPidFile) == Environment.ProcessId)
            {
                File.Delete(paths.SupervisorPidFile);
            }
        }
    }

    /// <summary>Supervises until the daemon stops cleanly, another daemon takes over, or the budget is spent.</summary>
    public async Task RunAsync(DaemonLog log, CancellationToken cancellation)
    {
        log.Info("Supervising the daemon of " + paths.State.Root);
        while (!cancellation.IsCancellationRequested)
        {
            while (daemonAlive())
            {
                await Task.Delay(PollInterval, time, cancellation).ConfigureAwait(false);
            }
            if (!File.Exists(paths.PidFile))
            {
                log.Info("The daemon stopped cleanly; the supervisor ends");
                return;
            }
            if (RecentRestarts >= maxPerHour)
            {
                log.Error($"The daemon crashed again after {RecentRestarts} restarts in the last hour (AUTO_RESTART_MAX_PER_HOUR = {maxPerHour}); giving up. Start it with Start-WorkflowDaemon once the cause is fixed.");
                return;
            }
            var delay = Backoff(RecentRestarts);
            log.Warn($"The daemon (process {DaemonPaths.ReadPid(paths.PidFile)}) ended without stopping; restarting in {delay.TotalSeconds:0.#} s");
            await Task.Delay(delay, time, cancellation).ConfigureAwait(false);
            if (daemonAlive())
            {
                log.Info("Another daemon took over the state directory; the supervisor ends");
                return;
            }
            restarts.Add(time.GetUtcNow());
            try
            {
                startDaemon();
                log.Info("Daemon restarted");
            }
            catch (Exception exception)
            {
                log.Error("Restarting the daemon failed: " + exception.Message);
            }
        }
    }

    /// <summary>0.5 s, 1 s, 2 s … doubling with each restart in the hour, at most a minute.</summary>
    public static TimeSpan Backoff(int recentRestarts) =>
        TimeSpan.FromMilliseconds(Math.Min(60_000, 500 * Math.Pow(2, Math.Min(recentRestarts, 10))));
}
