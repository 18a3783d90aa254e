namespace WorkflowAutomation.Daemon;

/// <summary>Where an accepted run is in the daemon's queue.</summary>
public enum QueueState
{
    /// <summary>Accepted, waiting for a free slot (MAX_PARALLEL_WORKFLOWS).</summary>
    Queued,
    /// <summary>Handed to the executor; after a crash it is resumed, not restarted.</summary>
    Running,
    /// <summary>Ended (any outcome).</summary>
    Finished,
}

/// <summary>
/// An accepted run as the queue keeps it: the workflow's text as it was when submitted (a
/// later edit of the file does not change a queued run), its parameters and where it came from.
/// </summary>
public sealed class QueuedRun
{
    public required string RunId { get; init; }
    public required string Workflow { get; init; }
    public string? SourcePath { get; init; }
    /// <summary>-WorkingDirectory of Submit-Workflow; null runs in the workflow's own folder.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>The YAML text of the definition at submission.</summary>
    public required string Definition { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>"submit", or "schedule:&lt;name&gt;" for a scheduled run.</summary>
    public required string Origin { get; init; }
    public QueueState State { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The run's final status name once finished.</summary>
    public string? Outcome { get; init; }
    /// <summary>How many times it was handed to the executor (more than one: resumed after a restart).</summary>
    public int Starts { get; init; }

    public override string ToString() => $"{Workflow} {RunId} {State}";
}
