using Polly;
using Polly.Simmy;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// A step's chaos: Polly's chaos strategies placed inside the step's retry, so the retry (and,
/// in the daemon, the circuit breaker) meets the injected faults exactly as it would meet real
/// ones. A fault replaces an attempt with a failed one; latency delays an attempt; a kill ends
/// an attempt's process tree after a while. Used only when CHAOS_ENABLED is true.
/// </summary>
internal sealed class StepChaosInjector<T>(StepChaos chaos, TimeProvider time, Func<T> injectedFault, Action<string> log)
{
    private readonly Random random = chaos.Seed is { } seed ? new Random(seed) : new Random();
    private bool killArmed;

    /// <summary>How long a killed attempt runs first.</summary>
    public TimeSpan KillAfter => chaos.KillAfter ?? TimeSpan.Zero;

    private double Next()
    {
        lock (random)
        {
            return random.NextDouble();
        }
    }

    /// <summary>Adds the strategies to the step's pipeline, inside its retry.</summary>
    public void AddTo(ResiliencePipelineBuilder<T> builder)
    {
        if (chaos.Latency is { } latency && latency > TimeSpan.Zero)
        {
            builder.AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                InjectionRate = chaos.LatencyRate,
                Latency = latency,
                Randomizer = Next,
                OnLatencyInjected = _ =>
                {
                    log($"Chaos: {latency.TotalMilliseconds:0} ms of latency before this attempt.");
                    return default;
                },
            });
        }
        if (chaos.FaultRate > 0)
        {
            builder.AddChaosOutcome(new ChaosOutcomeStrategyOptions<T>
            {
                InjectionRate = chaos.FaultRate,
                Randomizer = Next,
                OutcomeGenerator = _ => ValueTask.FromResult<Outcome<T>?>(Outcome.FromResult(injectedFault())),
                OnOutcomeInjected = _ =>
                {
                    log("Chaos: this attempt failed with an injected fault.");
                    return default;
                },
            });
        }
        if (chaos.KillAfter is not null)
        {
            builder.AddChaosBehavior(chaos.KillRate, _ =>
            {
                killArmed = true;
                return default;
            });
        }
    }

    /// <summary>
    /// A token for one attempt: cancelled after kill_after when the kill was drawn for it. Attempts
    /// of a step run one after another, so the flag set by the behavior belongs to this attempt.
    /// </summary>
    public (CancellationToken Token, CancellationTokenSource? Kill) AttemptToken(CancellationToken outer)
    {
        if (!killArmed || chaos.KillAfter is not { } after)
        {
            return (outer, null);
        }
        killArmed = false;
        var kill = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var timer = time.CreateTimer(_ => { try { kill.Cancel(); } catch (ObjectDisposedException) { } }, null, after, Timeout.InfiniteTimeSpan);
        kill.Token.Register(() => timer.Dispose());
        return (kill.Token, kill);
    }
}
