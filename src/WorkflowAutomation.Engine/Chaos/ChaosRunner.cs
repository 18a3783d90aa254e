using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>Where and how chaos tests run.</summary>
public sealed class ChaosRunnerOptions
{
    public required StateDirectory State { get; init; }

    public required WorkflowConfiguration Configuration { get; init; }

    /// <summary>The clock of timestamps and waits. <value>The default value is the system clock.</value></summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often a running fault is measured. <value>The default value is 1 second.</value></summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Told how far the test is after every sample.</summary>
    public Action<ChaosProgress>? Progress { get; init; }
}

/// <summary>
/// Runs one fault for a duration: checks CHAOS_ENABLED, undoes what crashed tests left,
/// applies, measures, reverts (always), verifies and records the result in chaos.db.
/// </summary>
public sealed class ChaosRunner(ChaosRunnerOptions options)
{
    /// <summary>A new sortable result id.</summary>
    public static string NewId(TimeProvider time) =>
        $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("n")[..6]}";

    /// <summary>Reverts what tests killed before their end left behind (their process is gone).</summary>
    public IReadOnlyList<ChaosTouch> RecoverLeftovers() => RollbackJournal.Recover(options.State);

    public async Task<ChaosResult> RunAsync(IChaosFault fault, TimeSpan duration, CancellationToken cancellationToken)
    {
        ChaosSafety.RequireEnabled(options.Configuration);
        var result = new ChaosResult
        {
            Id = NewId(options.Time),
            Type = fault.Type,
            Name = fault.Name,
            Target = fault.Target,
            StartTime = options.Time.GetUtcNow(),
        };
        foreach (var (key, value) in fault.Parameters)
        {
            result.Parameters[key] = value;
        }
        result.Parameters["DurationSeconds"] = duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await RunIntoAsync(result, fault, duration, cancellationToken).ConfigureAwait(false);
        using (var store = ChaosStore.Open(options.State))
        {
            store.Save(result);
        }
        return result;
    }

    /// <summary>Applies, samples and reverts a fault into an existing result (experiments run several into one).</summary>
    internal async Task RunIntoAsync(ChaosResult result, IChaosFault fault, TimeSpan duration, CancellationToken cancellationToken)
    {
        var journal = RollbackJournal.Begin(options.State, result.Id + "-" + Guid.NewGuid().ToString("n")[..4]);
        var context = new ChaosContext(result, journal, options.Time);
        var started = options.Time.GetTimestamp();
        string? failure = null;
        var aborted = false;
        context.Event("Fault", fault.Name, null, "applying");
        try
        {
            await fault.ApplyAsync(context, cancellationToken).ConfigureAwait(false);
            var elapsed = TimeSpan.Zero;
            while (elapsed < duration)
            {
                var wait = Min(options.SampleInterval, duration - elapsed);
                await Task.Delay(wait, options.Time, cancellationToken).ConfigureAwait(false);
                elapsed = options.Time.GetElapsedTime(started);
                fault.Sample(context, elapsed);
                options.Progress?.Invoke(new ChaosProgress(fault.Name, elapsed, duration, Describe(result)));
            }
        }
        catch (OperationCanceledException)
        {
            aborted = true;
            failure = "Stopped before the end (Ctrl+C, Stop-Job, a timeout or a safeguard); everything touched was reverted.";
        }
        catch (Exception exception) when (exception is Common.WorkflowAutomationException or IOException or InvalidOperationException
            or UnauthorizedAccessException or System.Net.Sockets.SocketException or ArgumentException)
        {
            aborted = true;
            failure = exception.Message;
        }
        finally
        {
            await RevertAsync(fault, context).ConfigureAwait(false);
        }
        // Faults running side by side into one result each keep their own journal.
        if (context.Reverted)
        {
            journal.Complete();
        }
        context.Event("Revert", fault.Name, context.Reverted, context.Reverted ? "everything reverted" : "something could not be reverted");
        result.EndTime = options.Time.GetUtcNow();
        var verdict = aborted ? ChaosVerdict.Aborted : ChaosVerdict.Passed;
        string? note = null;
        if (!aborted)
        {
            var outside = fault.Verify(result);
            context.Event("Measure", fault.Name, outside is null, outside ?? "the measured effect is within tolerance");
            if (outside is not null)
            {
                verdict = ChaosVerdict.Failed;
                failure = outside;
            }
            else if (fault is CpuFault { Saturated: { } saturated })
            {
                note = saturated + " Everything was reverted.";
            }
        }
        if (!context.Reverted)
        {
            verdict = ChaosVerdict.Failed;
            failure = "Not everything could be reverted: " + string.Join("; ", context.OwnTouches.Where(t => !t.Reverted).Select(t => $"{t.What}: {t.Revert}"));
        }
        result.Verdict = verdict;
        result.Message = failure ?? note ?? "The fault took effect within tolerance and everything was reverted.";
    }

    private static async Task RevertAsync(IChaosFault fault, ChaosContext context)
    {
        try
        {
            await fault.RevertAsync(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            foreach (var touch in context.OwnTouches.Where(t => !t.Reverted))
            {
                touch.Revert ??= exception.Message;
            }
        }
    }

    private static string Describe(ChaosResult result)
    {
        lock (result)
        {
            var latest = result.Measurements.GroupBy(m => m.Name).Select(g => g.Last()).Take(3);
            return string.Join(", ", latest.Select(m => $"{m.Name} {m.Value:0.#} {m.Unit}"));
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
