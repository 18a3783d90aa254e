namespace WorkflowAutomation.Parallel;

/// <summary>
/// Runs a batch of tasks on a pool of worker threads: priority first, FIFO within a
/// priority, a task starting only once its dependencies succeeded; dependants of a failed
/// task are skipped; retries with exponential backoff; per-attempt timeouts; FailFast;
/// cancellation that stops every running task. The batch is checked (ids, dependencies,
/// cycles) in the constructor, so a bad batch runs nothing.
/// </summary>
/// <remarks>
/// The bookkeeping (dependencies, retries, results) happens on the thread that calls
/// <see cref="Run"/>, which also receives every result as it finishes: a host can write
/// results from its own thread without locks.
/// </remarks>
public sealed class ParallelBatchRunner
{
    private readonly TaskGraph graph;
    private readonly CoordinatorInbox<Message> inbox = new();
    private readonly CancellationTokenSource stopAll = new();
    private WorkerQueues queues = null!;
    private ScriptTaskFeed[] feeds = [];
    private CommandContext commands = null!;
    private long[] freeSince = [];
    private long busyTicks;
    private int finished;
    private int running;
    private long lastGauges;
    // Finished tasks per status not yet written to the metric store, and their total duration.
    private readonly int[] unreportedCounts = new int[Enum.GetValues<ParallelTaskStatus>().Length];
    private readonly TimeSpan[] unreportedDurations = new TimeSpan[Enum.GetValues<ParallelTaskStatus>().Length];

    /// <summary>Checks the batch; throws <see cref="ParallelBatchException"/> for unknown or duplicate ids and cycles.</summary>
    public ParallelBatchRunner(IReadOnlyList<ParallelTask> tasks, ParallelBatchOptions? options = null)
    {
        Options = options ?? new ParallelBatchOptions();
        Options.Validate();
        graph = TaskGraph.Build(tasks);
    }

    public ParallelBatchOptions Options { get; }

    /// <summary>The tasks of the batch, with their ids assigned.</summary>
    public IReadOnlyList<ParallelTask> Tasks => graph.Tasks;

    /// <summary>Tasks of the batch.</summary>
    public int Total => graph.Tasks.Length;

    /// <summary>Tasks with a final result so far (safe to read from any thread).</summary>
    public int Finished => Volatile.Read(ref finished);

    internal TimeProvider Time => Options.TimeProvider;

    /// <summary>How many times a worker, timer or Ctrl+C woke the coordinating thread.</summary>
    internal int CoordinatorWakeUps => inbox.WakeUps;

    /// <summary>
    /// Runs the batch, calling <paramref name="onResult"/> on this thread for each task as it
    /// finishes. Cancelling the token stops every running task (process trees are killed)
    /// and reports the rest as Cancelled. If <paramref name="onResult"/> throws, the batch is
    /// cancelled the same way and the exception rethrown once every worker has stopped.
    /// </summary>
    public ParallelBatchSummary Run(Action<ParallelTaskResult> onResult, CancellationToken cancellation = default)
    {
        var workers = Math.Max(1, Math.Min(Options.ThrottleLimit, Math.Max(1, Total)));
        var state = new BatchState(graph, Options, onResult);
        queues = new WorkerQueues(workers);
        using var context = commands = new CommandContext(Options.WorkingDirectory, Options.Timeout, Time);
        feeds = Enumerable.Range(0, workers).Select(w => new ScriptTaskFeed(this, w)).ToArray();
        var usage = ResourceUsage.Snapshot();
        var started = Time.GetTimestamp();

        freeSince = Enumerable.Repeat(started, workers).ToArray();
        Enqueue(state, Enumerable.Range(0, Total).Where(i => graph.Dependencies[i].Length == 0).Select(i => (i, 1)));
        var threads = feeds.Select(StartWorker).ToArray();
        using (cancellation.Register(() => inbox.Add(new Message.Cancel())))
        {
            while (state.Done < Total)
            {
                foreach (var message in inbox.TakeAll())
                {
                    Handle(state, message);
                    if (state.CallbackFailure is not null && !state.Cancelled)
                    {
                        CancelEverything(state);
                    }
                }
                RecordGauges(force: false);
            }
        }
        queues.Close();
        foreach (var thread in threads)
        {
            thread.Join();
        }
        state.DisposeTimers();
        RecordGauges(force: true);
        if (state.CallbackFailure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        var elapsed = Time.GetElapsedTime(started);
        return state.Summary(elapsed, workers, queues.Steals, ResourceUsage.Snapshot().CpuPercentSince(usage, elapsed),
            100.0 * Interlocked.Read(ref busyTicks) / Math.Max(1, elapsed.Ticks * workers));
    }

    private Thread StartWorker(ScriptTaskFeed feed)
    {
        // Runspaces run scripts on this thread: give it the stack size PowerShell gives its own.
        var thread = new Thread(() => Work(feed), maxStackSize: 10 * 1024 * 1024)
        {
            IsBackground = true,
            Name = $"ParallelBatch worker {feed.Worker}",
        };
        thread.Start();
        return thread;
    }

    private void Work(ScriptTaskFeed feed)
    {
        var hasScripts = graph.Tasks.Any(t => t.IsScript);
        string? unavailable = hasScripts && Options.ScriptHost is null
            ? "Script-block tasks need a PowerShell host: run them with Invoke-ParallelBatch."
            : null;
        if (hasScripts && Options.ScriptHost is { } host)
        {
            try
            {
                host.RunWorker(feed);
                return;
            }
            catch (Exception exception)
            {
                unavailable = $"The script host failed: {exception.Message}";
                feed.Fail(unavailable);
            }
        }
        while (feed.MoveNext())
        {
            feed.Fail(unavailable ?? "No script host.");
        }
    }

    internal bool TakeNext(int worker, out QueuedAttempt attempt)
    {
        if (!queues.TryTake(worker, out attempt))
        {
            return false;
        }
        Interlocked.Increment(ref running);
        return true;
    }

    internal void RunCommand(int worker, QueuedAttempt attempt)
    {
        var startedTimestamp = Time.GetTimestamp();
        var startedAt = Time.GetUtcNow();
        TaskOutcome outcome;
        try
        {
            outcome = stopAll.IsCancellationRequested
                ? new TaskOutcome(ParallelTaskStatus.Cancelled, null, [], "Cancelled before it started.")
                : Options.CommandExecutor.Run(attempt.Task, commands, stopAll.Token);
        }
        catch (OperationCanceledException)
        {
            outcome = new TaskOutcome(ParallelTaskStatus.Cancelled, null, [], "Cancelled before it started.");
        }
        catch (Exception exception)
        {
            outcome = TaskOutcome.Failure(exception.Message);
        }
        Report(worker, attempt, outcome, startedTimestamp, startedAt);
    }

    internal void Report(int worker, QueuedAttempt attempt, TaskOutcome outcome, long startedTimestamp, DateTimeOffset startedAt)
    {
        var stillRunning = Interlocked.Decrement(ref running);
        var ended = Time.GetTimestamp();
        if (Options.FailFast && outcome.Status is ParallelTaskStatus.Failed or ParallelTaskStatus.TimedOut && attempt.Attempt > Options.RetryCount)
        {
            // Before the next take on this or any worker: FailFast means no new start at all.
            queues.Halt();
        }
        Interlocked.Add(ref busyTicks, Time.GetElapsedTime(startedTimestamp, ended).Ticks);
        // Pickup latency: from the moment the task was queued and this worker was free to
        // the start, so a long queue in a busy batch does not count as dispatch time.
        var available = Math.Max(attempt.QueuedTimestamp, freeSince[worker]);
        var latency = startedTimestamp > available ? Time.GetElapsedTime(available, startedTimestamp) : TimeSpan.Zero;
        freeSince[worker] = ended;
        // The coordinator must hear at once when it has something to do: a dependant to queue,
        // a failure to retry or skip past, or the batch's end. A plain success can wait for its next wake-up.
        var urgent = outcome.Status != ParallelTaskStatus.Succeeded || graph.Dependants[attempt.Index].Length > 0 || (stillRunning == 0 && queues.IsEmpty);
        inbox.Add(new Message.Completed(attempt, outcome, worker, startedTimestamp, startedAt, ended, latency), urgent);
    }

    internal void Requeue(QueuedAttempt attempt)
    {
        Interlocked.Decrement(ref running);
        inbox.Add(new Message.Interrupted(attempt));
    }

    private void Handle(BatchState state, Message message)
    {
        switch (message)
        {
            case Message.Completed completed:
                OnCompleted(state, completed);
                break;
            case Message.RetryDue due when !state.IsFinal(due.Index):
                if (state.Stopping)
                {
                    Finish(state, due.Index, state.NotRun(due.Index));
                }
                else
                {
                    Enqueue(state, [(due.Index, due.Attempt)]);
                }
                break;
            case Message.Interrupted interrupted:
                if (state.Stopping)
                {
                    Finish(state, interrupted.Attempt.Index, state.NotRun(interrupted.Attempt.Index));
                }
                else
                {
                    queues.Enqueue(interrupted.Attempt);
                }
                break;
            case Message.Cancel when !state.Cancelled:
                CancelEverything(state);
                break;
        }
    }

    private void OnCompleted(BatchState state, Message.Completed completed)
    {
        var attempt = completed.Attempt;
        var index = attempt.Index;
        var latency = completed.PickupLatency;
        state.Latencies.Add(latency);
        var outcome = completed.Outcome;
        var result = new ParallelTaskResult
        {
            Id = attempt.Task.Id,
            Priority = attempt.Task.Priority,
            Command = attempt.Task.Text,
            Status = outcome.Status,
            ExitCode = outcome.ExitCode,
            Output = outcome.Output,
            Error = outcome.Error,
            Attempts = attempt.Attempt,
            Worker = completed.Worker,
            Stolen = attempt.Stolen,
            QueuedAt = attempt.QueuedAt,
            StartedAt = completed.StartedAt,
            Duration = Time.GetElapsedTime(completed.StartedTimestamp, completed.EndedTimestamp),
            PickupLatency = latency,
        };
        var failed = outcome.Status is ParallelTaskStatus.Failed or ParallelTaskStatus.TimedOut;
        if (failed && attempt.Attempt <= Options.RetryCount && !state.Stopping)
        {
            state.Retries++;
            state.Queued[index] = false;
            var delay = Options.DelayBeforeRetry(attempt.Attempt);
            var next = new Message.RetryDue(index, attempt.Attempt + 1);
            if (delay <= TimeSpan.Zero)
            {
                Handle(state, next);
            }
            else
            {
                state.Timers.Add(Time.CreateTimer(static s => { var (box, message) = ((CoordinatorInbox<Message>, Message))s!; box.Add(message); },
                    (inbox, (Message)next), delay, Timeout.InfiniteTimeSpan));
            }
            return;
        }
        Finish(state, index, result);
        if (outcome.Status == ParallelTaskStatus.Succeeded)
        {
            var ready = new List<(int, int)>();
            foreach (var dependant in graph.Dependants[index])
            {
                if (--state.Waiting[dependant] == 0 && !state.IsFinal(dependant))
                {
                    ready.Add((dependant, 1));
                }
            }
            Enqueue(state, ready);
            return;
        }
        SkipDependants(state, index);
        if (failed && Options.FailFast && !state.Stopping)
        {
            state.FailFastBy = attempt.Task.Id;
            foreach (var queued in queues.Drain())
            {
                Finish(state, queued.Index, state.NotRun(queued.Index));
            }
            FinishAllWaiting(state);
        }
    }

    private void SkipDependants(BatchState state, int failed)
    {
        var pending = new Stack<int>(graph.Dependants[failed]);
        while (pending.TryPop(out var dependant))
        {
            if (state.IsFinal(dependant))
            {
                continue;
            }
            var blocker = graph.Dependencies[dependant].First(d => state.IsFinal(d) && state.Status(d) != ParallelTaskStatus.Succeeded);
            Finish(state, dependant, state.Skipped(dependant,
                $"Not run: it depends on '{graph.Tasks[blocker].Id}', which {state.Status(blocker).ToString().ToLowerInvariant()}."));
            foreach (var next in graph.Dependants[dependant])
            {
                pending.Push(next);
            }
        }
    }

    private void CancelEverything(BatchState state)
    {
        state.Cancelled = true;
        queues.Close();
        foreach (var queued in queues.Drain())
        {
            Finish(state, queued.Index, state.NotRun(queued.Index));
        }
        FinishAllWaiting(state);
        stopAll.Cancel();
        foreach (var feed in feeds)
        {
            feed.Stop(ParallelTaskStatus.Cancelled);
        }
    }

    /// <summary>Tasks waiting on dependencies or a retry delay, never started now.</summary>
    private void FinishAllWaiting(BatchState state)
    {
        state.DisposeTimers();
        for (var i = 0; i < Total; i++)
        {
            if (!state.IsFinal(i) && !state.Queued[i])
            {
                Finish(state, i, state.NotRun(i));
            }
        }
    }

    private void Enqueue(BatchState state, IEnumerable<(int Index, int Attempt)> ready)
    {
        var now = Time.GetTimestamp();
        var at = Time.GetUtcNow();
        var attempts = new List<QueuedAttempt>();
        foreach (var (index, attempt) in ready)
        {
            state.Queued[index] = true;
            attempts.Add(new QueuedAttempt(index, graph.Tasks[index], attempt, now, at));
        }
        if (attempts.Count > 0)
        {
            queues.Enqueue(attempts);
        }
    }

    private void Finish(BatchState state, int index, ParallelTaskResult result)
    {
        state.Record(index, result);
        Interlocked.Increment(ref finished);
        unreportedCounts[(int)result.Status]++;
        unreportedDurations[(int)result.Status] += result.Duration;
    }

    /// <summary>Finished tasks, queue depth and busy workers, at most once a second (and at the end), for the dashboard.</summary>
    private void RecordGauges(bool force)
    {
        if (Options.Metrics is null || (!force && Time.GetElapsedTime(lastGauges) < GaugeInterval))
        {
            return;
        }
        lastGauges = Time.GetTimestamp();
        var depth = force ? 0 : queues.Count;
        var busy = force ? 0 : Volatile.Read(ref running);
        Record(metrics =>
        {
            for (var status = 0; status < unreportedCounts.Length; status++)
            {
                metrics.TasksFinished((ParallelTaskStatus)status, unreportedCounts[status], unreportedDurations[status]);
                unreportedCounts[status] = 0;
                unreportedDurations[status] = TimeSpan.Zero;
            }
            metrics.QueueDepthChanged(depth);
            metrics.ActiveWorkersChanged(busy);
        });
    }

    private void Record(Action<Metrics.ExecutionMetrics> write)
    {
        if (Options.Metrics is not { } metrics)
        {
            return;
        }
        try
        {
            write(metrics);
        }
        catch (Common.WorkflowAutomationException)
        {
            // Metrics are a by-product: a full series or a bad value never fails a task.
        }
    }

    private static readonly TimeSpan GaugeInterval = TimeSpan.FromSeconds(1);

    /// <summary>What the coordinating thread hears about.</summary>
    private abstract record Message
    {
        public sealed record Completed(QueuedAttempt Attempt, TaskOutcome Outcome, int Worker, long StartedTimestamp, DateTimeOffset StartedAt, long EndedTimestamp, TimeSpan PickupLatency) : Message;
        public sealed record RetryDue(int Index, int Attempt) : Message;
        public sealed record Interrupted(QueuedAttempt Attempt) : Message;
        public sealed record Cancel : Message;
    }
}
