namespace WorkflowAutomation.Chaos;

/// <summary>
/// One real fault. The runner applies it, samples it while it lasts and reverts it, always:
/// at the end, on Ctrl+C, on timeout, on a safeguard breach. Anything a crash could leave
/// behind is written to the rollback journal before it is touched.
/// </summary>
public interface IChaosFault
{
    ChaosFaultType Type { get; }

    /// <summary>A one-line description, such as "Cpu 80 % of 2 cores".</summary>
    string Name { get; }

    /// <summary>What the fault acts on.</summary>
    string Target { get; }

    /// <summary>The settings as given, recorded on the result.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Exactly what would be touched (shown by -WhatIf); computing it changes nothing.</summary>
    IReadOnlyList<string> Plan();

    /// <summary>Starts the fault. Journals what a crash would leave before touching it.</summary>
    Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken);

    /// <summary>Called once per sample interval while the fault lasts: measure, and act again when the fault repeats (kills).</summary>
    void Sample(ChaosContext context, TimeSpan elapsed);

    /// <summary>Undoes everything; must not throw for what is already gone.</summary>
    Task RevertAsync(ChaosContext context);

    /// <summary>Null when the measured effect is within tolerance; otherwise why not.</summary>
    string? Verify(ChaosResult result);
}

/// <summary>What a fault uses while it runs: the result to measure into, the journal, the clock.</summary>
public sealed class ChaosContext
{
    internal ChaosContext(ChaosResult result, RollbackJournal journal, TimeProvider time)
    {
        Result = result;
        Journal = journal;
        Time = time;
    }

    public ChaosResult Result { get; }

    public RollbackJournal Journal { get; }

    public TimeProvider Time { get; }

    /// <summary>Records a measured value now.</summary>
    public void Measure(string name, double value, string unit)
    {
        lock (Result)
        {
            Result.Measurements.Add(new ChaosMeasurement(Time.GetUtcNow(), name, value, unit));
        }
    }

    /// <summary>Records that something was changed; the caller marks it reverted later.</summary>
    public ChaosTouch Touch(string kind, string what, string action)
    {
        var touch = new ChaosTouch { Kind = kind, What = what, Action = action };
        lock (Result)
        {
            Result.Touched.Add(touch);
            OwnTouches.Add(touch);
        }
        return touch;
    }

    /// <summary>What this fault touched (the result may hold others' too, when faults run side by side).</summary>
    internal List<ChaosTouch> OwnTouches { get; } = [];

    /// <summary>True when everything this fault touched is reverted.</summary>
    internal bool Reverted
    {
        get
        {
            lock (Result)
            {
                return OwnTouches.All(touch => touch.Reverted);
            }
        }
    }

    /// <summary>Adds an entry to the result's journal of events.</summary>
    public void Event(string kind, string name, bool? ok, string? detail)
    {
        lock (Result)
        {
            Result.Events.Add(new ChaosEvent(Time.GetUtcNow(), kind, name, ok, detail));
        }
    }
}

/// <summary>How far a running chaos test is, for progress bars.</summary>
public sealed record ChaosProgress(string Activity, TimeSpan Elapsed, TimeSpan Duration, string Status);
