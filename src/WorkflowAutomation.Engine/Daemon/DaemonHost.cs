using System.Runtime.InteropServices;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The daemon: owns the instance lock, the log, the socket, the database and the loops that
/// run workflows, and moves through Stopped → Starting → Running → Stopping → Stopped.
/// Hosted by Start-WorkflowDaemon in the foreground, in a detached process or in a job.
/// </summary>
public sealed partial class DaemonHost : IAsyncDisposable
{
    private readonly DaemonHostOptions options;
    private readonly TimeProvider time;
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completes when the start ends, running or not (a status request may wait for it).
    private readonly TaskCompletionSource running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object stateGate = new();
    private InstanceLock? instanceLock;
    private DaemonDatabase? database;
    private IpcServer? ipc;
    private HealthMonitor? health;
    private PosixSignalRegistration? termination;
    private Task? stopping;
    private DateTimeOffset? startTime;

    public DaemonHost(StateDirectory state, DaemonHostOptions? options = null)
    {
        State = state;
        Paths = new DaemonPaths(state);
        this.options = options ?? new DaemonHostOptions();
        time = this.options.Time;
        Log = new DaemonLog(Paths.LogFile, time, this.options.LogMaxBytes);
    }

    public StateDirectory State { get; }

    public DaemonPaths Paths { get; }

    public DaemonLog Log { get; }

    public DaemonState Lifecycle { get; private set; } = DaemonState.Stopped;

    /// <summary>The socket server; null unless the daemon is running.</summary>
    public IpcServer? Ipc => ipc;

    /// <summary>Completes when the daemon has stopped (by request, signal or failure).</summary>
    public Task Completion => stopped.Task;

    internal WorkflowConfiguration Configuration { get; private set; } = null!;

    internal DaemonDatabase Database => database ?? throw new InvalidOperationException("The daemon is not running.");

    /// <summary>Takes the state directory, opens everything, and returns once the daemon is Running.</summary>
    public async Task StartAsync(CancellationToken cancellation = default)
    {
        lock (stateGate)
        {
            if (Lifecycle != DaemonState.Stopped)
            {
                throw new InvalidOperationException($"The daemon is {Lifecycle}.");
            }
            Lifecycle = DaemonState.Starting;
        }
        try
        {
            DaemonRuntimeSettings.RemoveFromProcess();
            RefuseInsecureState();
            instanceLock = InstanceLock.Acquire(Paths);
            Log.Info($"Starting ({options.Mode}) on {State.Root}");
            Configuration = options.Configuration ?? WorkflowConfiguration.Load(State);
            var token = DaemonToken.EnsureCreated(Paths);
            database = new DaemonDatabase(Paths.Database);
            // The socket opens first: its check (a client's round trip through it, the slowest of
            // the checks on a fresh process) runs while the work opens. Requests other than ping
            // and status wait until the daemon runs.
            ipc = new IpcServer(Paths, Log, token, options.Ipc);
            RegisterOperations(ipc);
            ipc.Start();
            var socketCheck = new SocketHealthCheck(Paths);
            var firstSocketCheck = Task.Run(() => socketCheck.CheckAsync(cancellation), cancellation);
            // A status answer is made once meanwhile too, so that the serializer of the answer
            // Start-WorkflowDaemon waits for is ready when the daemon runs.
            _ = Task.Run(PrepareStatusAnswer, cancellation);
            StartWork();
            await StartComponentsAsync(cancellation).ConfigureAwait(false);
            health = new HealthMonitor(HealthChecks(new FirstResultAhead(socketCheck, firstSocketCheck)), options.HealthCheckInterval ?? Configuration.HealthCheckInterval, time, Log);
            await health.CheckNowAsync(cancellation).ConfigureAwait(false);
            health.Start();
            if (options.HandleTerminationSignal)
            {
                ListenForTermination();
            }
            startTime = time.GetUtcNow();
            Lifecycle = DaemonState.Running;
            running.TrySetResult();
            Log.Info($"Running as process {Environment.ProcessId}; health {health.Current?.Status}");
        }
        catch (Exception exception)
        {
            if (instanceLock is not null)
            {
                Log.Error("Start failed: " + exception.Message);
            }
            await ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Asks the daemon to stop; running steps get the grace period to finish.</summary>
    public Task StopAsync(TimeSpan? grace = null)
    {
        lock (stateGate)
        {
            if (Lifecycle is DaemonState.Stopped && stopping is null)
            {
                return Task.CompletedTask;
            }
            return stopping ??= Task.Run(() => StopCoreAsync(grace ?? options.GracePeriod));
        }
    }

    private async Task StopCoreAsync(TimeSpan grace)
    {
        Lifecycle = DaemonState.Stopping;
        Log.Info($"Stopping (grace period {grace.TotalSeconds:0.#} s)");
        await StopComponentsAsync().ConfigureAwait(false);
        await StopWorkAsync(grace).ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async Task ReleaseAsync()
    {
        termination?.Dispose();
        health?.Dispose();
        await StopComponentsAsync().ConfigureAwait(false);
        ipc?.Dispose();
        await DisposeWorkAsync().ConfigureAwait(false);
        database?.Dispose();
        if (instanceLock is not null)
        {
            Log.Info("Stopped");
            instanceLock.Dispose();
        }
        Log.Dispose();
        (health, ipc, database, instanceLock, termination) = (null, null, null, null, null);
        Lifecycle = DaemonState.Stopped;
        running.TrySetResult();
        stopped.TrySetResult();
    }

    /// <summary>What Get-WorkflowDaemon shows.</summary>
    public DaemonStatus GetStatus()
    {
        // Read first: a status taken while the daemon starts must not mix Starting-time
        // figures with a Running state.
        var lifecycle = Lifecycle;
        var started = startTime;
        var report = health?.Current;
        var now = time.GetUtcNow();
        var work = WorkSummary();
        return new DaemonStatus
        {
            State = lifecycle,
            ProcessId = Environment.ProcessId,
            Mode = options.Mode,
            StartTime = started,
            Uptime = started is { } start ? now - start : null,
            Health = report?.Status,
            HealthReasons = report?.Reasons ?? [],
            HealthChecks = report?.Checks ?? [],
            QueueDepth = work.Queued,
            RunningRuns = work.Running,
            WaitingForApproval = work.WaitingForApproval,
            OpenBreakers = work.OpenBreakers,
            HalfOpenBreakers = work.HalfOpenBreakers,
            DashboardPort = options.DashboardPort,
            DashboardUrl = options.Components.FirstOrDefault(component => component.Name == "Dashboard")?.Address,
            StateDirectory = State.Root,
            LogFile = Log.Path,
        };
    }

    /// <summary>Runs the health checks now rather than waiting for the interval.</summary>
    public Task<HealthReport> CheckHealthAsync() =>
        health?.CheckNowAsync() ?? throw new InvalidOperationException("The daemon is not running.");

    private void RefuseInsecureState()
    {
        // Checked before anything is created: creating would quietly tighten the modes and
        // hide that someone else may already have planted files here.
        foreach (var folder in new[] { State.Root, Paths.Folder })
        {
            if (Directory.Exists(folder) && OwnerOnly.IsWritableByOthers(folder))
            {
                throw new StateDirectoryInsecureException(folder);
            }
        }
        State.EnsureCreated();
        Paths.EnsureFolders();
    }

    private void PrepareStatusAnswer()
    {
        try
        {
            IpcFraming.Encode(new IpcResponse { Ok = true, Body = IpcJson.ToElement(GetStatus()) }, "The answer");
        }
        catch (Exception exception)
        {
            Log.Warn("Preparing the status answer failed (the first status request does it): " + exception.Message);
        }
    }

    private void ListenForTermination()
    {
        try
        {
            termination = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Log.Info("SIGTERM received");
                _ = StopAsync();
            });
        }
        catch (PlatformNotSupportedException)
        {
            // Windows services stop through the service manager instead.
        }
    }

    private void RegisterOperations(IpcServer server)
    {
        server.Handle(DaemonOperations.Ping, IpcAccess.ReadOnly, (_, _) => Task.FromResult<object?>("pong"));
        server.Handle<StatusRequest>(DaemonOperations.Status, IpcAccess.ReadOnly, async (request, cancellation) =>
        {
            if (request is { WaitUntilRunningSeconds: > 0 } && Lifecycle == DaemonState.Starting)
            {
                var wait = TimeSpan.FromSeconds(IpcArguments.Seconds(request.WaitUntilRunningSeconds, nameof(StatusRequest.WaitUntilRunningSeconds), StatusRequest.MaxWaitSeconds));
                try
                {
                    await running.Task.WaitAsync(wait, time, cancellation).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Still starting: the answer says so.
                }
            }
            return GetStatus();
        });
        server.Handle<StopRequest>(DaemonOperations.Stop, IpcAccess.ChangesState, async (request, cancellation) =>
        {
            await WhenStarted(cancellation).ConfigureAwait(false);
            var grace = request is null ? options.GracePeriod
                : TimeSpan.FromSeconds(IpcArguments.Seconds(request.GraceSeconds, nameof(StopRequest.GraceSeconds), StopRequest.MaxGraceSeconds));
            Log.Info("Stop requested by a client");
            // Stopped a moment later, so that the answer to this request still goes out.
            _ = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
                await StopAsync(grace).ConfigureAwait(false);
            });
            return GetStatus();
        });
        RegisterWorkOperations(server);
    }

    /// <summary>
    /// Completes at once when the daemon runs; while it starts (the socket opens before the
    /// work), a request waits for the start to end, a minute at most.
    /// </summary>
    private Task WhenStarted(CancellationToken cancellation) =>
        Lifecycle == DaemonState.Starting ? WaitForStartAsync(cancellation) : Task.CompletedTask;

    private async Task WaitForStartAsync(CancellationToken cancellation)
    {
        try
        {
            await running.Task.WaitAsync(TimeSpan.FromMinutes(1), time, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still starting after a minute: the operation says what it finds.
        }
    }

    private List<IHealthCheck> HealthChecks(IHealthCheck socket)
    {
        var checks = new List<IHealthCheck>
        {
            new DatabaseHealthCheck(Database),
            new DiskHealthCheck(State.Root),
        };
        checks.AddRange(WorkHealthChecks());
        checks.Add(new MetricsIngestionHealthCheck(() => metrics?.Collectors, time));
        checks.Add(socket);
        checks.AddRange(options.Components.Select(component => new ComponentHealthCheck(component)));
        return checks;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }
}
