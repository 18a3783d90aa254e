using Polly;
using Polly.Retry;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>How often and how patiently a failing operation is tried again.</summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt. <value>The default value is 0 (no retry).</value></summary>
    public int RetryCount { get; init; }

    /// <summary>The base delay before a retry. <value>The default value is 1 second.</value></summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How the delay grows from one retry to the next. <value>The default value is Exponential.</value></summary>
    public RetryBackoff Backoff { get; init; } = RetryBackoff.Exponential;

    /// <summary>Randomises delays so that many runs do not retry in lockstep. <value>The default value is false.</value></summary>
    public bool Jitter { get; init; }

    public static RetryOptions For(WorkflowStep step) => new()
    {
        RetryCount = step.RetryCount,
        Delay = step.RetryDelay,
        Backoff = step.Backoff,
        Jitter = step.Jitter,
    };
}

/// <summary>One finished attempt, reported as it ends.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="Result">What the attempt returned.</param>
/// <param name="NextDelay">The wait before the next attempt; null when no attempt follows.</param>
public sealed record RetryAttempt<T>(int Number, T Result, TimeSpan? NextDelay);

/// <summary>
/// Retries over Polly.Core with time injected, so tests advance a fake clock instead of
/// sleeping. A cancelled operation is never retried.
/// </summary>
public static class Retry
{
    /// <summary>Runs <paramref name="operation"/> until it succeeds or the retries are used up; returns the last result.</summary>
    /// <param name="options">How many retries, and the delays between them.</param>
    /// <param name="operation">Receives the attempt number (1 for the first).</param>
    /// <param name="isFailure">Whether a result calls for another attempt.</param>
    /// <param name="onAttempt">Told about every finished attempt, failed or not.</param>
    /// <param name="timeProvider">The clock the delays use; the system clock when null.</param>
    /// <param name="cancellationToken">Stops the retries and the operation.</param>
    /// <param name="innerStrategies">Strategies placed inside the retry, around each attempt (a step's chaos).</param>
    public static async Task<T> ExecuteAsync<T>(
        RetryOptions options,
        Func<int, CancellationToken, ValueTask<T>> operation,
        Func<T, bool> isFailure,
        Action<RetryAttempt<T>>? onAttempt,
        TimeProvider? timeProvider,
        CancellationToken cancellationToken,
        Action<ResiliencePipelineBuilder<T>>? innerStrategies = null)
    {
        var attempt = 0;
        if (options.RetryCount <= 0 && innerStrategies is null)
        {
            var only = await operation(1, cancellationToken).ConfigureAwait(false);
            onAttempt?.Invoke(new RetryAttempt<T>(1, only, null));
            return only;
        }
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = options.RetryCount,
                Delay = options.Delay,
                BackoffType = options.Backoff switch
                {
                    RetryBackoff.Constant => DelayBackoffType.Constant,
                    RetryBackoff.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                UseJitter = options.Jitter,
                ShouldHandle = arguments => ValueTask.FromResult(
                    !arguments.Context.CancellationToken.IsCancellationRequested
                    && arguments.Outcome.Exception is null
                    && isFailure(arguments.Outcome.Result!)),
                OnRetry = arguments =>
                {
                    onAttempt?.Invoke(new RetryAttempt<T>(arguments.AttemptNumber + 1, arguments.Outcome.Result!, arguments.RetryDelay));
                    return ValueTask.CompletedTask;
                },
            });
        }
        innerStrategies?.Invoke(builder);
        var pipeline = builder.Build();
        var last = await pipeline.ExecuteAsync(
            async token => await operation(Interlocked.Increment(ref attempt), token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        onAttempt?.Invoke(new RetryAttempt<T>(attempt, last, null));
        return last;
    }
}
