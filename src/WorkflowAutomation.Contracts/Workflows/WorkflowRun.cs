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
    /// <summary>The rollback commands that ran, in the order they ran.</summary>
    public List<WorkflowRollbackRun> Rollbacks { get; init; } = [];
    /// <summary>The run this one restarted, if any.</summary>
    public string? RestartOf { get; set; }

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
    /// <summary>The step failed but was allowed to (<c>continue_on_error</c>): conditions and the run treat it as a success.</summary>
    public bool ContinuedOnError { get; set; }
    /// <summary>The step was not run again: its result and outputs come from the restarted run.</summary>
    public bool Reused { get; set; }
    /// <summary>Every attempt, in order.</summary>
    public List<WorkflowStepAttempt> AttemptHistory { get; init; } = [];

    public override string ToString() => $"{Name} {Status}";
}

/// <summary>One command a run executed for a step: an attempt of the step, or its rollback.</summary>
public abstract class WorkflowCommandRun
{
    public required string RunId { get; init; }
    /// <summary>The step the command belongs to.</summary>
    public required string Step { get; init; }
    public StepStatus Status { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public TimeSpan? Duration => EndTime is { } end ? end - StartTime : null;
    public string? Error { get; set; }
}

/// <summary>One attempt of a step (a step with retries has several).</summary>
public sealed class WorkflowStepAttempt : WorkflowCommandRun
{
    /// <summary>1 for the first attempt.</summary>
    public int Number { get; init; }

    public override string ToString() => $"{Step} #{Number} {Status}";
}

/// <summary>A rollback command that ran because the run failed or was cancelled.</summary>
public sealed class WorkflowRollbackRun : WorkflowCommandRun
{
    /// <summary>1 for the first rollback that ran.</summary>
    public int Order { get; init; }

    public override string ToString() => $"{Order} {Step} {Status}";
}

/// <summary>One captured line of a run's output.</summary>
public sealed class WorkflowRunLogLine
{
    public required string RunId { get; init; }
    /// <summary>The step that wrote the line ("rollback:&lt;step&gt;" for rollbacks); null for the run itself.</summary>
    public string? Step { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    /// <summary>True for the error stream.</summary>
    public bool IsError { get; init; }
    public required string Text { get; init; }

    public override string ToString() => Step is null ? Text : $"[{Step}] {Text}";
}
