using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>The query that Get-WorkflowMetric and Export-WorkflowMetric build from the same parameters.</summary>
internal static class MetricQueryParameters
{
    /// <remarks>A null resolution is chosen from the range; a null aggregate means none.</remarks>
    public static MetricQuery Build(string name, IReadOnlyDictionary<string, string>? tags, DateTime? start, DateTime? end, MetricResolution? resolution, MetricAggregate? aggregate) => new()
    {
        Name = name,
        Tags = tags,
        Start = start is { } from ? new DateTimeOffset(from) : null,
        End = end is { } until ? new DateTimeOffset(until) : null,
        Resolution = resolution,
        Aggregate = aggregate,
    };
}
