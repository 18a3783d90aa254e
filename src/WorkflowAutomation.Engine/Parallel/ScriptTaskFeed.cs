namespace WorkflowAutomation.Parallel;

/// <summary>
/// One worker's stream of tasks, handed to an <see cref="IParallelScriptHost"/>. Command
/// tasks are run inside <see cref="MoveNext"/>; script tasks are handed to the host.
/// </summary>
public sealed class ScriptTaskFeed
{
    private readonly ParallelBatchRunner runner;
    private readonly object gate = new();
    private QueuedAttempt? current;
    private long startedTimestamp;
    private DateTimeOffset startedAt;
    private ParallelTaskStatus? stopReason;
    private ITimer? deadline;
    private Action? stop;

    internal ScriptTaskFeed(ParallelBatchRunner runner, int worker)
    {
        this.runner = runner;
        Worker = worker;
    }

    /// <summary>The worker (0-based) this feed belongs to.</summary>
    public int Worker { get; }

    /// <summary>The script task to run now.</summary>
    public ParallelTask Current => current?.Task ?? throw new InvalidOperationException("No script task is current; call MoveNext first.");

    /// <summary>Whether a script task has been handed out and not yet reported.</summary>
    public bool HasCurrent
    {
        get
        {
            lock (gate)
            {
                return current is not null;
            }
        }
    }

    /// <summary>The script block object of the current task, for a host that caches what it made of it.</summary>
    public object? Source => Current.ScriptBlock;

    /// <summary>The script block text of the current task (script blocks are re-created from text in the worker's runspace).</summary>
    public string Text => Current.ScriptBlock?.ToString() ?? string.Empty;

    /// <summary>The arguments of the current task.</summary>
    public IReadOnlyList<object?> Arguments => Current.ArgumentList;

    /// <summary>The first argument, bound to <c>$_</c> (null when there is none).</summary>
    public object? Input => Current.ArgumentList.Count > 0 ? Current.ArgumentList[0] : null;

    /// <summary>The folder scripts start in, when the batch names one.</summary>
    public string? WorkingDirectory => runner.Options.WorkingDirectory;

    /// <summary>Whether <see cref="MoveNext"/> has returned false: the batch has no more work for this worker.</summary>
    public bool Finished { get; private set; }

    /// <summary>
    /// Blocks until the next script task for this worker, running any command tasks that come
    /// first; false when the batch has no more work for this worker.
    /// </summary>
    public bool MoveNext()
    {
        while (runner.TakeNext(Worker, out var attempt))
        {
            if (!attempt.Task.IsScript)
            {
                runner.RunCommand(Worker, attempt);
                continue;
            }
            lock (gate)
            {
                current = attempt;
                stopReason = null;
                startedTimestamp = runner.Time.GetTimestamp();
                startedAt = runner.Time.GetUtcNow();
                if (runner.Options.Timeout is { } timeout)
                {
                    deadline = runner.Time.CreateTimer(static state => ((ScriptTaskFeed)state!).Stop(ParallelTaskStatus.TimedOut), this, timeout, Timeout.InfiniteTimeSpan);
                }
            }
            return true;
        }
        Finished = true;
        return false;
    }

    /// <summary>Reports the current task: <paramref name="error"/> null means it succeeded.</summary>
    public void Complete(IReadOnlyList<object?> output, string? error)
    {
        if (!TryTakeCurrent(out var attempt, out var stoppedAs))
        {
            return;
        }
        var outcome = stoppedAs is { } reason
            ? new TaskOutcome(reason, null, output, StopMessage(reason))
            : error is null ? TaskOutcome.Success(output) : TaskOutcome.Failure(error, output);
        runner.Report(Worker, attempt, outcome, startedTimestamp, startedAt);
    }

    /// <summary>Takes the running task and why it was stopped, if it was; false when none runs (it was already reported).</summary>
    private bool TryTakeCurrent(out QueuedAttempt attempt, out ParallelTaskStatus? stoppedAs)
    {
        lock (gate)
        {
            (attempt, stoppedAs) = (current!, stopReason);
            if (current is null)
            {
                return false;
            }
            current = null;
            DisposeDeadline();
            return true;
        }
    }

    /// <summary>Sets how the host stops the script running on this worker (called from another thread).</summary>
    public void OnStop(Action? handler)
    {
        lock (gate)
        {
            stop = handler;
        }
    }

    /// <summary>
    /// The host's pipeline was stopped. A task stopped on purpose is reported as timed out or
    /// cancelled; one caught by a stop meant for the task before it goes back to the queue.
    /// </summary>
    public void Stopped()
    {
        if (!TryTakeCurrent(out var attempt, out var stoppedAs))
        {
            return;
        }
        if (stoppedAs is { } reason)
        {
            runner.Report(Worker, attempt, new TaskOutcome(reason, null, [], StopMessage(reason)), startedTimestamp, startedAt);
        }
        else
        {
            runner.Requeue(attempt);
        }
    }

    /// <summary>Reports the current task as failed because the host could not run it.</summary>
    internal void Fail(string error) => Complete([], error);

    /// <summary>Stops the running script task, if any (timeout or cancellation).</summary>
    internal void Stop(ParallelTaskStatus reason)
    {
        lock (gate)
        {
            if (current is null || stopReason is not null)
            {
                return;
            }
            stopReason = reason;
            stop?.Invoke();
        }
    }

    private void DisposeDeadline()
    {
        deadline?.Dispose();
        deadline = null;
    }

    private string StopMessage(ParallelTaskStatus reason) => reason == ParallelTaskStatus.TimedOut
        ? $"Timed out after {runner.Options.Timeout!.Value.TotalSeconds:0.###} s; the script was stopped."
        : "Cancelled; the script was stopped.";
}
