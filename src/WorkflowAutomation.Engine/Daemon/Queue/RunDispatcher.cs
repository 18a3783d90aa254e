using System.Collections.Concurrent;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Takes runs from the durable queue in order and executes at most MAX_PARALLEL_WORKFLOWS at
/// once. A stop first lets running runs finish within the grace period, then interrupts them:
/// their queue rows stay Running, so the next start resumes them.
/// </summary>
public sealed class RunDispatcher : IDisposable
{
    /// <summary>Executes (or resumes) one run: the entry, the interruption token, the cancellation token.</summary>
    public delegate Task<WorkflowRun> Executor(QueuedRun entry, CancellationToken interruption, CancellationToken cancellation);

    private readonly RunQueue queue;
    private readonly Executor execute;
    private readonly DaemonLog log;
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource interruption = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, (Task Task, CancellationTokenSource Cancel)> running = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> finished = new();
    private readonly object fillGate = new();
    private Task? loop;
    private volatile bool draining;

    public RunDispatcher(RunQueue queue, Executor execute, int maxParallel, DaemonLog log)
    {
        this.queue = queue;
        this.execute = execute;
        this.log = log;
        MaxParallel = maxParallel;
    }

    public int MaxParallel { get; }

    /// <summary>Ids of the runs executing now.</summary>
    public IReadOnlyList<string> Running => running.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>When the loop last looked at the queue (the health check watches it).</summary>
    public DateTimeOffset? LastPass { get; private set; }

    public void Start() => loop = Task.Run(async () =>
    {
        while (!stopping.IsCancellationRequested)
        {
            Fill();
            try
            {
                await wake.WaitAsync(TimeSpan.FromSeconds(1), stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    /// <summary>
    /// Runs an admission (queue row and run record) while no run is being taken from the
    /// queue, so a run is never started before its record exists.
    /// </summary>
    public T Admit<T>(Func<T> admission)
    {
        lock (fillGate)
        {
            return admission();
        }
    }

    /// <summary>Something was queued or finished: look at the queue now.</summary>
    public void Wake() => wake.Release();

    private void Fill()
    {
        lock (fillGate)
        {
            LastPass = DateTimeOffset.UtcNow;
            while (!draining && running.Count < MaxParallel)
            {
                QueuedRun? entry;
                try
                {
                    entry = queue.TryStartNext();
                }
                catch (Exception exception)
                {
                    log.Error("Reading the queue failed: " + exception.Message);
                    return;
                }
                if (entry is null)
                {
                    return;
                }
                var cancel = new CancellationTokenSource();
                running[entry.RunId] = (RunAsync(entry, cancel), cancel);
            }
        }
    }

    private async Task RunAsync(QueuedRun entry, CancellationTokenSource cancel)
    {
        await Task.Yield();
        string outcome;
        try
        {
            log.Info($"Run {entry.RunId} ({entry.Workflow}) {(entry.Starts > 1 ? "resumed" : "started")}");
            var run = await execute(entry, interruption.Token, cancel.Token).ConfigureAwait(false);
            outcome = run.Status.ToString();
            if (run.Status == RunStatus.Interrupted && interruption.IsCancellationRequested)
            {
                // Left Running in the queue: the next start resumes it.
                log.Info($"Run {entry.RunId} interrupted by the stop; it resumes at the next start");
                return;
            }
            queue.Finish(entry.RunId, outcome);
            log.Info($"Run {entry.RunId} ({entry.Workflow}) ended {outcome}");
        }
        catch (Exception exception)
        {
            outcome = nameof(RunStatus.Failed);
            log.Error($"Run {entry.RunId} ({entry.Workflow}) could not run: {exception.Message}");
            try
            {
                queue.Finish(entry.RunId, outcome);
            }
            catch (Exception inner)
            {
                log.Error($"Recording the end of run {entry.RunId} failed: {inner.Message}");
            }
        }
        finally
        {
            running.TryRemove(entry.RunId, out _);
            cancel.Dispose();
            Wake();
        }
        if (finished.TryRemove(entry.RunId, out var waiting))
        {
            waiting.TrySetResult(outcome);
        }
    }

    /// <summary>Cancels a run: a queued one never starts, a running one has its steps killed and rolls back.</summary>
    public bool Cancel(string runId)
    {
        if (running.TryGetValue(runId, out var entry))
        {
            entry.Cancel.Cancel();
            return true;
        }
        if (queue.CancelQueued(runId))
        {
            if (finished.TryRemove(runId, out var waiting))
            {
                waiting.TrySetResult(nameof(RunStatus.Cancelled));
            }
            return true;
        }
        return false;
    }

    /// <summary>Waits until a run ends or the timeout passes; true when it ended.</summary>
    public async Task<bool> WaitAsync(string runId, TimeSpan timeout, CancellationToken cancellation)
    {
        // Registered before the queue is read: a run that ends in between completes it.
        var completion = finished.GetOrAdd(runId, _ => NewCompletion());
        if (queue.Find(runId) is { State: QueueState.Finished })
        {
            finished.TryRemove(runId, out _);
            return true;
        }
        try
        {
            await completion.Task.WaitAsync(timeout, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            finished.TryRemove(runId, out _);
            return false;
        }
    }

    /// <summary>Stops taking runs; lets running ones finish for the grace period, then interrupts them.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        draining = true;
        var all = Task.WhenAll(running.Values.Select(entry => entry.Task));
        if (!all.IsCompleted && grace > TimeSpan.Zero)
        {
            log.Info($"Waiting up to {grace.TotalSeconds:0.#} s for {running.Count} running run(s)");
            await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false);
        }
        if (!all.IsCompleted)
        {
            log.Info($"Interrupting {running.Count} run(s); they resume at the next start");
            interruption.Cancel();
            await Task.WhenAny(Task.WhenAll(running.Values.Select(entry => entry.Task)), Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        }
        stopping.Cancel();
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource<string> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        stopping.Cancel();
        interruption.Dispose();
        stopping.Dispose();
        wake.Dispose();
    }
}
