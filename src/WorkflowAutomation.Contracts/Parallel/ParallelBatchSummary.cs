namespace WorkflowAutomation.Parallel;

/// <summary>Counts and performance of one batch, written after the last result.</summary>
public sealed class ParallelBatchSummary
{
    public int Total { get; init; }
    public int Succeeded { get; init; }
    public int Failed { get; init; }
    public int TimedOut { get; init; }
    public int Skipped { get; init; }
    public int Cancelled { get; init; }
    /// <summary>Workers the batch ran on.</summary>
    public int ThrottleLimit { get; init; }
    /// <summary>Wall-clock time from the first task queued to the last result.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Tasks that ran (not skipped or cancelled before starting) per second of <see cref="Elapsed"/>.</summary>
    public double TasksPerSecond { get; init; }
    /// <summary>Median time from a task being queued, with its worker free, to its start.</summary>
    public TimeSpan PickupLatencyP50 { get; init; }
    /// <summary>99th percentile of the time from a task being queued, with its worker free, to its start.</summary>
    public TimeSpan PickupLatencyP99 { get; init; }
    /// <summary>CPU time of this process and its finished child processes, as a percentage of all cores over <see cref="Elapsed"/>.</summary>
    public double CpuUtilization { get; init; }
    /// <summary>Time the workers spent running tasks, as a percentage of their time.</summary>
    public double WorkerUtilization { get; init; }
    /// <summary>Tasks a worker took from another worker's queue.</summary>
    public int Steals { get; init; }
    /// <summary>Retries made across all tasks.</summary>
    public int Retries { get; init; }

    public override string ToString() =>
        $"{Total} tasks: {Succeeded} succeeded, {Failed} failed, {TimedOut} timed out, {Skipped} skipped, {Cancelled} cancelled; {TasksPerSecond:F0} tasks/s";
}
