namespace WorkflowAutomation.Parallel;

/// <summary>How a batch runs. Every default is documented; ranges are checked by <see cref="Validate"/>.</summary>
public sealed class ParallelBatchOptions
{
    /// <summary>Workers, that is tasks running at once. <value>The default value is the core count.</value></summary>
    public int ThrottleLimit { get; init; } = Environment.ProcessorCount;

    /// <summary>Extra attempts for a task that fails or times out. <value>The default value is 0.</value></summary>
    public int RetryCount { get; init; }

    /// <summary>Wait before the first retry; doubled for each further one (exponential backoff). <value>The default value is 1 second.</value></summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest a single attempt may run before its process tree is killed; null for no limit. <value>The default value is null.</value></summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Start no new task once one has failed for good. <value>The default value is false.</value></summary>
    public bool FailFast { get; init; }

    /// <summary>The folder tasks start in (the caller's current location). <value>The default value is the process's current directory.</value></summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Where finished tasks, queue depth and busy workers are recorded (metrics.db); none when null.</summary>
    public Metrics.ExecutionMetrics? Metrics { get; init; }

    /// <summary>The clock for timestamps, timeouts and retry delays (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Runs script-block tasks; without one a script-block task fails with a clear message.</summary>
    public IParallelScriptHost? ScriptHost { get; init; }

    /// <summary>Runs command tasks. <value>The default value runs them through the platform shell.</value></summary>
    public ICommandTaskExecutor CommandExecutor { get; init; } = ShellCommandExecutor.Instance;

    /// <summary>The longest retry delay, whatever the backoff says.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>The delay before retry number <paramref name="retry"/> (1-based): RetryDelay × 2^(retry-1), capped.</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var ticks = Math.Min(RetryDelay.Ticks * factor, MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    public void Validate()
    {
        if (ThrottleLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), ThrottleLimit, "ThrottleLimit must be at least 1.");
        }
        if (RetryCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryCount), RetryCount, "RetryCount cannot be negative.");
        }
        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RetryDelay cannot be negative.");
        }
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, "Timeout must be positive.");
        }
    }
}
