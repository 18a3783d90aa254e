namespace WorkflowAutomation.Daemon;

/// <summary>A registered cron schedule, as Get-WorkflowSchedule shows it.</summary>
public sealed class WorkflowSchedule
{
    /// <summary>The workflow's name (one schedule per workflow).</summary>
    public required string Name { get; init; }
    /// <summary>The workflow file, read again at each run.</summary>
    public required string Path { get; init; }
    public required string Cron { get; init; }
    /// <summary>IANA or Windows time-zone id the cron is read in; UTC when null.</summary>
    public string? TimeZone { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>The last occurrence that was run (or skipped as already run).</summary>
    public DateTimeOffset? LastRunAt { get; init; }
    /// <summary>The next occurrence after the last one run.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    public override string ToString() => $"{Name} {Cron}";
}
