namespace WorkflowAutomation.Workflows;

/// <summary>The state of a run.</summary>
public enum RunStatus
{
    Queued,
    Running,
    WaitingForApproval,
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

/// <summary>The state of one step of a run. TimedOut counts as failed for conditions and for the run.</summary>
public enum StepStatus
{
    Pending,
    Running,
    WaitingForApproval,
    Succeeded,
    Failed,
    TimedOut,
    Skipped,
    Cancelled,
    Interrupted,
    CircuitOpen,
}

/// <summary>One run of a workflow, as recorded in the state store.</summary>
public sealed class WorkflowRun
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public RunStatus Status { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public TimeSpan? Duration => StartTime is { } start && EndTime is { } end ? end - start : null;
    public List<WorkflowStepRun> Steps { get; init; } = [];
    /// <summary>The workflow file the run came from, if any (used by Restart-WorkflowRun).</summary>
    public string? SourcePath { get; set; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Why the run failed, in words, when it did.</summary>
    public string? Error { get; set; }
    /// <summary>Where the run was started: this session or the daemon.</summary>
    public string? Origin { get; set; }

    public override string ToString() => $"{Name} {Id} {Status}";
}

/// <summary>One step of a recorded run.</summary>
public sealed class WorkflowStepRun
{
    public required string RunId { get; init; }
    public required string Name { get; init; }
    public StepStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public TimeSpan? Duration => StartTime is { } start && EndTime is { } end ? end - start : null;
    public Dictionary<string, string> Outputs { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public string? Error { get; set; }

    public override string ToString() => $"{Name} {Status}";
}
