using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>The daemon's work: the queue, the scheduler, breakers and approvals, between Starting and Stopping.</summary>
public sealed partial class DaemonHost
{
    /// <summary>The run store's origin for the daemon's runs (other processes leave them alone).</summary>
    public const string RunOrigin = "daemon";

    private readonly record struct WorkCounts(int Queued, IReadOnlyList<string> Running, int WaitingForApproval, int OpenBreakers, int HalfOpenBreakers);

    private CommittedRunStore? runStore;
    private RunQueue? queue;
    private ScheduleStore? schedules;
    private Scheduler? scheduler;
    private CircuitBreakerRegistry? breakers;
    private DaemonApprovalGate? approvals;
    private RunDispatcher? dispatcher;
    private RunAdmissions? admissions;
    private WorkflowExecutor? executor;
    private readonly CancellationTokenSource schedulerStop = new();
    private IdleMemory? idleMemory;
    private ValidatedDefinitions? validated;
    private List<WalCheckpointer> checkpointers = [];
    // Moves whenever a run is accepted or changes: the idle check's sign of work.
    private long workEvents;
    private Task? schedulerLoop;

    internal RunQueue Queue => queue ?? throw new InvalidOperationException("The daemon is not running.");

    internal RunAdmissions Admissions => admissions ?? throw new InvalidOperationException("The daemon is not running.");

    internal RunDispatcher Dispatcher => dispatcher ?? throw new InvalidOperationException("The daemon is not running.");

    internal CircuitBreakerRegistry Breakers => breakers ?? throw new InvalidOperationException("The daemon is not running.");

    private void StartWork()
    {
        // The metrics store (a database of its own, and the collectors' first samples) opens on
        // another thread while the run store and the queue open here.
        var metricsOpening = Task.Run(() => new DaemonMetrics(State, Configuration, time));
        try
        {
            OpenStores();
        }
        catch
        {
            metricsOpening.ContinueWith(opened => opened.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        metrics = metricsOpening.GetAwaiter().GetResult();
        StartExecution(runStore, queue, schedules, breakers, approvals);
    }

    [MemberNotNull(nameof(runStore), nameof(queue), nameof(schedules), nameof(breakers), nameof(approvals))]
    private void OpenStores()
    {
        runStore = new CommittedRunStore(SqliteRunStore.Open(State));
        // The daemon commits for every submit and step: checkpoints run beside, not inside, those commits.
        checkpointers = [new WalCheckpointer(Database.Path), new WalCheckpointer(runStore.Inner.DatabasePath)];
        Database.LeaveCheckpointsToBackground();
        runStore.Inner.LeaveCheckpointsToBackground();
        queue = new RunQueue(Database, time);
        var resumed = queue.RequeueInterrupted();
        foreach (var runId in resumed)
        {
            // Steps a killed daemon left running are orphans now: they end before their run
            // resumes, so that no step ever runs twice at once.
            ProcessTree.KillByEnvironment("WORKFLOW_RUN_ID", runId);
        }
        if (resumed.Count > 0)
        {
            Log.Warn($"{resumed.Count} run(s) were running when the daemon last stopped; their leftover processes were ended and they resume first");
        }
        ScratchFiles.CleanLeftovers(State.ScratchFolder, runStore);
        schedules = new ScheduleStore(Database, time);
        breakers = new CircuitBreakerRegistry(Database, Configuration.CircuitBreakerThreshold, Configuration.CircuitBreakerDuration, time);
        approvals = new DaemonApprovalGate(Database, time);
    }

    private void StartExecution(CommittedRunStore runStore, RunQueue queue, ScheduleStore schedules, CircuitBreakerRegistry breakers, DaemonApprovalGate approvals)
    {
        executor = new WorkflowExecutor(new WorkflowExecutorOptions
        {
            Store = runStore,
            ScriptHost = options.ScriptHost ?? new ProcessScriptHost(),
            Time = time,
            Approvals = approvals,
            StepGuard = new BreakerStepGuard(breakers),
            Notifier = new RunNotifier(SmtpSettings.FromConfiguration(Configuration), time),
            Observer = MetricsObserver(),
            ChaosEnabled = Configuration.ChaosEnabled,
            SecretEnvironmentVariables = Configuration.SecretEnvVars,
            ScratchFolder = State.ScratchFolder,
        });
        dispatcher = new RunDispatcher(queue, ExecuteAsync, Configuration.MaxParallelWorkflows, Log);
        admissions = new RunAdmissions(queue, runStore, dispatcher, time);
        admissions.Admitted += run => RunChanged?.Invoke(run.Id);
        RunChanged += _ => Interlocked.Increment(ref workEvents);
        idleMemory = new IdleMemory(time, options.IdleMemoryTrim);
        scheduler = new Scheduler(schedules,
            (definition, text, origin, alongside) => Accept(definition, text, definition.SourcePath, new Dictionary<string, string>(), origin, alongside),
            time, Log, ParseOptions);
        // The first tick before Running: what was missed while the daemon was down is queued now.
        TickScheduler();
        dispatcher.Start();
        schedulerLoop = Task.Run(SchedulerLoopAsync);
    }

    private async Task SchedulerLoopAsync()
    {
        while (!schedulerStop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.SchedulerTick, time, schedulerStop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            TickScheduler();
        }
    }

    private void TickScheduler()
    {
        try
        {
            scheduler!.Tick();
            RecordDaemonMetrics();
            TrimMemoryWhenIdle();
            // A detached daemon's standard streams go to this file for as long as it runs.
            ConsoleLog.RotateIfLarger(Paths.ConsoleLogFile);
        }
        catch (Exception exception)
        {
            Log.Error("The scheduler failed a tick: " + exception.Message);
        }
    }

    /// <summary>Accepts a run: validated, committed to the queue, recorded as Queued, then acknowledged.</summary>
    public WorkflowRun Accept(WorkflowDefinition definition, string text, string? path, IReadOnlyDictionary<string, string> parameters, string origin,
        Action<SqliteConnection, SqliteTransaction>? alongside = null, string? workingDirectory = null) =>
        AcceptAsync(new RunAdmission(definition, text, path, parameters, origin, alongside, workingDirectory)).GetAwaiter().GetResult();

    /// <summary>
    /// Accepts a run: its inputs are checked now, then it joins the next group commit; the task
    /// completes once its queue row and record are on disk.
    /// </summary>
    public Task<WorkflowRun> AcceptAsync(RunAdmission admission)
    {
        if (Lifecycle is not (DaemonState.Running or DaemonState.Starting) || admissions is null)
        {
            throw new WorkflowAutomationException(ErrorIds.DaemonStopping, ErrorKind.ResourceUnavailable, "The daemon is stopping and accepts no new runs; submit again once it is restarted.");
        }
        // Bad parameters are refused now, not discovered when the run starts.
        WorkflowInputs.Resolve(admission.Definition, admission.Parameters.ToDictionary(pair => pair.Key, pair => (object?)pair.Value));
        return admissions.AdmitAsync(admission);
    }

    /// <summary>After a busy spell, once quiet: SQLite's caches, the managed heap and the native heap go back to what they were.</summary>
    private void TrimMemoryWhenIdle()
    {
        var working = dispatcher!.Running.Count > 0 || queue!.Count(QueueState.Queued) > 0;
        if (!idleMemory!.Due(working, Interlocked.Read(ref workEvents)))
        {
            return;
        }
        Database.ReleaseMemory();
        runStore!.Inner.ReleaseMemory();
        var (before, after) = Platform.ProcessMemory.Trim();
        Log.Info($"Idle: memory given back, working set {before / (1024 * 1024)} MiB -> {after / (1024 * 1024)} MiB");
    }

    private async Task<WorkflowRun> ExecuteAsync(QueuedRun entry, CancellationToken interruption, CancellationToken cancellation)
    {
        var definition = admissions?.TakeDefinition(entry.RunId);
        if (definition is null)
        {
            var parsed = WorkflowParser.Parse(entry.Definition, entry.SourcePath ?? entry.Workflow, ParseOptions);
            if (parsed.Definition is null)
            {
                return FailWithoutRunning(entry, null, new WorkflowDefinitionException(parsed).Message);
            }
            definition = parsed.Definition;
        }
        var breaker = CircuitBreakerRegistry.WorkflowName(definition.Name);
        var decision = Breakers.TryAcquire(breaker);
        if (!decision.Allowed)
        {
            return FailWithoutRunning(entry, definition, decision.Reason!);
        }
        WorkflowRun run;
        try
        {
            run = await executor!.RunAsync(definition, new RunRequest
            {
                RunId = entry.RunId,
                Resume = true,
                Parameters = entry.Parameters.ToDictionary(pair => pair.Key, pair => (object?)pair.Value),
                Origin = RunOrigin,
                Interruption = interruption,
                WorkingDirectory = entry.WorkingDirectory,
            }, cancellation).ConfigureAwait(false);
        }
        catch (Exception exception) when (!interruption.IsCancellationRequested)
        {
            Breakers.Release(breaker);
            Log.Error($"Run {entry.RunId} failed in the executor: {exception}");
            return FailWithoutRunning(entry, null, "The daemon could not run it: " + exception.Message);
        }
        catch
        {
            Breakers.Release(breaker);
            throw;
        }
        RecordRun(run);
        switch (run.Status)
        {
            case RunStatus.Succeeded:
                Breakers.RecordSuccess(breaker);
                break;
            case RunStatus.Failed:
                Breakers.RecordFailure(breaker, CircuitBreakerKind.Workflow, run.Error);
                break;
            default:
                Breakers.Release(breaker);
                break;
        }
        return run;
    }

    /// <summary>A run that cannot start (open workflow breaker, text no longer valid) fails fast, its steps CircuitOpen or Skipped.</summary>
    private WorkflowRun FailWithoutRunning(QueuedRun entry, WorkflowDefinition? definition, string reason)
    {
        var now = time.GetUtcNow();
        var run = runStore!.GetRun(entry.RunId) ?? new WorkflowRun { Id = entry.RunId, Name = entry.Workflow, Origin = RunOrigin };
        var status = definition is null ? StepStatus.Skipped : StepStatus.CircuitOpen;
        foreach (var step in run.Steps.Where(step => step.Status is StepStatus.Pending or StepStatus.Running or StepStatus.WaitingForApproval or StepStatus.Interrupted))
        {
            step.Status = status;
            step.Error = reason;
            step.EndTime = now;
            runStore.SaveStep(step);
        }
        run.Status = RunStatus.Failed;
        run.Error = reason;
        run.StartTime ??= now;
        run.EndTime = now;
        runStore.UpdateRun(run);
        Log.Warn($"Run {entry.RunId} failed without running: {reason}");
        return run;
    }

    private async Task StopWorkAsync(TimeSpan grace)
    {
        schedulerStop.Cancel();
        if (schedulerLoop is not null)
        {
            await schedulerLoop.ConfigureAwait(false);
        }
        if (dispatcher is not null)
        {
            await dispatcher.StopAsync(grace).ConfigureAwait(false);
        }
    }

    private Task DisposeWorkAsync()
    {
        schedulerStop.Cancel();
        dispatcher?.Dispose();
        StopMetrics();
        checkpointers.ForEach(checkpointer => checkpointer.Dispose());
        checkpointers = [];
        runStore?.Dispose();
        (dispatcher, runStore, executor, admissions) = (null, null, null, null);
        return Task.CompletedTask;
    }

    private WorkCounts WorkSummary()
    {
        if (queue is null || dispatcher is null || approvals is null || breakers is null)
        {
            return new WorkCounts(0, [], 0, 0, 0);
        }
        var list = breakers.List();
        return new WorkCounts(queue.Count(QueueState.Queued), dispatcher.Running, approvals.CountPending(),
            list.Count(breaker => breaker.State == CircuitState.Open), list.Count(breaker => breaker.State == CircuitState.HalfOpen));
    }

    /// <summary>Workflows are validated as the configuration says (strict interpolation), on submit and again when they run.</summary>
    private WorkflowParseOptions ParseOptions => new() { StrictInterpolation = Configuration.StrictInterpolation };

    private void RegisterWorkOperations(IpcServer server)
    {
        // Each waits for the start to end when asked while the daemon starts (see WhenStarted).
        void Work<TBody>(string op, IpcAccess access, Func<TBody?, CancellationToken, Task<object?>> handler) =>
            server.Handle<TBody>(op, access, async (body, cancellation) =>
            {
                await WhenStarted(cancellation).ConfigureAwait(false);
                return await handler(body, cancellation).ConfigureAwait(false);
            });
        Work<SubmitRequest>(DaemonOperations.Submit, IpcAccess.ChangesState, (request, _) =>
        {
            var submitted = request ?? throw new WorkflowAutomationException(ErrorIds.DaemonRequestInvalid, ErrorKind.InvalidArgument, "A submission needs the workflow's path and text.");
            var definition = (validated ??= new ValidatedDefinitions(ParseOptions)).Get(submitted.Yaml, submitted.Path);
            // Not awaited here: the connection reads its next request while this one waits for its group's commit.
            return QueuedAsync(AcceptAsync(new RunAdmission(definition, submitted.Yaml, submitted.Path, submitted.Parameters, "submit", WorkingDirectory: submitted.WorkingDirectory)));
        });
        Work<RunRequestBody>(DaemonOperations.Wait, IpcAccess.ReadOnly, async (request, cancellation) =>
        {
            var runId = RequireRunId(request);
            if (runStore!.GetRun(runId) is null)
            {
                throw new RunNotFoundException(runId);
            }
            var timeout = TimeSpan.FromSeconds(Math.Min(IpcArguments.Seconds(request!.TimeoutSeconds, nameof(RunRequestBody.TimeoutSeconds), double.MaxValue), 60));
            var ended = await dispatcher!.WaitAsync(runId, timeout, cancellation).ConfigureAwait(false);
            return new WaitResponse { Ended = ended, Run = runStore!.GetRun(runId) };
        });
        Work<RunRequestBody>(DaemonOperations.Cancel, IpcAccess.ChangesState, (request, _) => Task.FromResult<object?>(CancelRun(RequireRunId(request), "a client")));
        Work<AnswerRequest>(DaemonOperations.Answer, IpcAccess.ChangesState, async (request, _) => await AnswerAsync(
            request ?? throw new WorkflowAutomationException(ErrorIds.DaemonRequestInvalid, ErrorKind.InvalidArgument, "An answer needs a run id and a step.")).ConfigureAwait(false));
        Work<object>(DaemonOperations.Breakers, IpcAccess.ReadOnly, (_, _) => Task.FromResult<object?>(Breakers.List()));
        Work<NameRequest>(DaemonOperations.ResetBreaker, IpcAccess.ChangesState, (request, _) => Task.FromResult<object?>(ResetBreakers(request?.Name ?? "*")));
    }

    private async Task<object?> QueuedAsync(Task<WorkflowRun> accepting)
    {
        var run = await accepting.ConfigureAwait(false);
        Log.Info($"Run {run.Id} ({run.Name}) queued");
        return run;
    }

    private static string RequireRunId(RunRequestBody? request) =>
        string.IsNullOrWhiteSpace(request?.RunId)
            ? throw new WorkflowAutomationException(ErrorIds.DaemonRequestInvalid, ErrorKind.InvalidArgument, "The request names no run id.")
            : request.RunId;

    private IEnumerable<IHealthCheck> WorkHealthChecks() =>
        [new HeartbeatHealthCheck("Scheduler", () => scheduler?.LastTick, TimeSpan.FromSeconds(Math.Max(10, options.SchedulerTick.TotalSeconds * 3)), time)];
}
