namespace WorkflowAutomation.Parallel;

/// <summary>What one attempt of a task produced.</summary>
public readonly record struct TaskOutcome(ParallelTaskStatus Status, int? ExitCode, IReadOnlyList<object?> Output, string? Error)
{
    public static TaskOutcome Success(IReadOnlyList<object?> output) => new(ParallelTaskStatus.Succeeded, null, output, null);

    public static TaskOutcome Failure(string error, IReadOnlyList<object?>? output = null) => new(ParallelTaskStatus.Failed, null, output ?? [], error);
}

/// <summary>Runs command tasks as processes. Called on a worker thread; must honour the token by killing what it started.</summary>
public interface ICommandTaskExecutor
{
    /// <summary>Runs one attempt; a timeout is reported as <see cref="ParallelTaskStatus.TimedOut"/>, the token as <see cref="ParallelTaskStatus.Cancelled"/>.</summary>
    TaskOutcome Run(ParallelTask task, CommandContext context, CancellationToken cancellation);
}
