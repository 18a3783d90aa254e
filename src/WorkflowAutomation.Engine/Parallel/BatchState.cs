namespace WorkflowAutomation.Parallel;

/// <summary>The bookkeeping of one batch run; touched only by the coordinating thread.</summary>
internal sealed class BatchState
{
    private readonly TaskGraph graph;
    private readonly ParallelBatchOptions options;
    private readonly Action<ParallelTaskResult> onResult;
    private readonly ParallelTaskResult?[] results;

    public BatchState(TaskGraph graph, ParallelBatchOptions options, Action<ParallelTaskResult> onResult)
    {
        this.graph = graph;
        this.options = options;
        this.onResult = onResult;
        results = new ParallelTaskResult?[graph.Tasks.Length];
        Waiting = graph.Dependencies.Select(d => d.Length).ToArray();
        Queued = new bool[graph.Tasks.Length];
    }

    /// <summary>Per task: dependencies not yet succeeded.</summary>
    public int[] Waiting { get; }

    /// <summary>Per task: an attempt is in a queue or running.</summary>
    public bool[] Queued { get; }

    public int Done { get; private set; }
    public int Retries { get; set; }
    public bool Cancelled { get; set; }
    /// <summary>The task whose failure stopped new work under FailFast.</summary>
    public string? FailFastBy { get; set; }
    public bool Stopping => Cancelled || FailFastBy is not null;
    public List<TimeSpan> Latencies { get; } = [];
    public List<ITimer> Timers { get; } = [];
    /// <summary>What the result callback threw; no further results are handed to it.</summary>
    public Exception? CallbackFailure { get; private set; }

    public bool IsFinal(int index) => results[index] is not null;

    public ParallelTaskStatus Status(int index) => results[index]!.Status;

    public void Record(int index, ParallelTaskResult result)
    {
        results[index] = result;
        Done++;
        if (CallbackFailure is not null)
        {
            return;
        }
        try
        {
            onResult(result);
        }
        catch (Exception exception)
        {
            CallbackFailure = exception;
        }
    }

    /// <summary>The result of a task that will not start: cancelled, or skipped by FailFast.</summary>
    public ParallelTaskResult NotRun(int index) => Cancelled
        ? Unstarted(index, ParallelTaskStatus.Cancelled, "Not run: the batch was cancelled.")
        : Skipped(index, $"Not run: -FailFast stopped the batch after task '{FailFastBy}' failed.");

    public ParallelTaskResult Skipped(int index, string why) => Unstarted(index, ParallelTaskStatus.Skipped, why);

    public void DisposeTimers()
    {
        foreach (var timer in Timers)
        {
            timer.Dispose();
        }
        Timers.Clear();
    }

    public ParallelBatchSummary Summary(TimeSpan elapsed, int workers, int steals, double cpuPercent, double workerPercent)
    {
        var done = results.Select(r => r!).ToList();
        var count = (ParallelTaskStatus s) => done.Count(r => r.Status == s);
        var ran = done.Count(r => r.Attempts > 0);
        var sorted = Latencies.Order().ToList();
        return new ParallelBatchSummary
        {
            Total = done.Count,
            Succeeded = count(ParallelTaskStatus.Succeeded),
            Failed = count(ParallelTaskStatus.Failed),
            TimedOut = count(ParallelTaskStatus.TimedOut),
            Skipped = count(ParallelTaskStatus.Skipped),
            Cancelled = count(ParallelTaskStatus.Cancelled),
            ThrottleLimit = workers,
            Elapsed = elapsed,
            TasksPerSecond = elapsed > TimeSpan.Zero ? ran / elapsed.TotalSeconds : 0,
            PickupLatencyP50 = Percentile(sorted, 0.50),
            PickupLatencyP99 = Percentile(sorted, 0.99),
            CpuUtilization = Math.Round(cpuPercent, 1),
            WorkerUtilization = Math.Round(Math.Min(100, workerPercent), 1),
            Steals = steals,
            Retries = Retries,
        };
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return TimeSpan.Zero;
        }
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private ParallelTaskResult Unstarted(int index, ParallelTaskStatus status, string why)
    {
        var task = graph.Tasks[index];
        return new ParallelTaskResult
        {
            Id = task.Id,
            Priority = task.Priority,
            Command = task.Text,
            Status = status,
            Error = why,
            Attempts = 0,
        };
    }
}
