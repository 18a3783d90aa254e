namespace WorkflowAutomation.Parallel;

/// <summary>What became of one task, written as soon as the task finishes.</summary>
public sealed class ParallelTaskResult
{
    public required string Id { get; init; }
    public required int Priority { get; init; }
    /// <summary>The command line or script block text.</summary>
    public required string Command { get; init; }
    public required ParallelTaskStatus Status { get; init; }
    /// <summary>The exit code of a process task; null for script blocks and tasks that never ran.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Lines of standard output for a process; the objects a script block wrote, as objects.</summary>
    public IReadOnlyList<object?> Output { get; init; } = [];
    /// <summary>Standard error of a process, the errors of a script block, or why the task did not run.</summary>
    public string? Error { get; init; }
    /// <summary>How many times the task was started (1 + retries).</summary>
    public int Attempts { get; init; }
    /// <summary>The worker (0-based) that ran the last attempt; -1 when the task never ran.</summary>
    public int Worker { get; init; } = -1;
    /// <summary>Whether the last attempt ran on a worker that took it from another worker's queue.</summary>
    public bool Stolen { get; init; }
    /// <summary>When the task (its last attempt) became ready and entered a worker queue.</summary>
    public DateTimeOffset? QueuedAt { get; init; }
    /// <summary>When the last attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>How long the last attempt ran.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>For the last attempt, from the moment it was queued and its worker was free to its start: the executor's dispatch cost.</summary>
    public TimeSpan? PickupLatency { get; init; }

    /// <summary>Whether the task ended well.</summary>
    public bool Succeeded => Status == ParallelTaskStatus.Succeeded;

    public override string ToString() => $"{Id} {Status}";
}
