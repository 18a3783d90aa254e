using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>A run as the lists show it.</summary>
public sealed class RunSummary
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public RunStatus Status { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public double? DurationSeconds => StartTime is { } start && EndTime is { } end ? (end - start).TotalSeconds : null;
    public string? Error { get; init; }
    public string? Origin { get; init; }
}

/// <summary>Filters of the run history; null means any.</summary>
public sealed class RunListFilter
{
    public IReadOnlyList<RunStatus>? Statuses { get; init; }
    /// <summary>Exact workflow name.</summary>
    public string? Workflow { get; init; }
    /// <summary>Text found in the id, the workflow's name or the error.</summary>
    public string? Search { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    /// <summary>The <see cref="RunPage.Next"/> of the previous page.</summary>
    public string? After { get; init; }
    public int Limit { get; init; } = 50;
}

/// <summary>One page of the run history, newest first.</summary>
public sealed class RunPage
{
    public required IReadOnlyList<RunSummary> Runs { get; init; }
    /// <summary>Pass as <see cref="RunListFilter.After"/> for the next page; null on the last.</summary>
    public string? Next { get; init; }
    /// <summary>Runs matching the filters, all pages together.</summary>
    public long Total { get; init; }
}
