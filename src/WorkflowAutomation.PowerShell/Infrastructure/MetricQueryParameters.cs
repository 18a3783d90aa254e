using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>The query that Get-WorkflowMetric and Export-WorkflowMetric build from the same parameters.</summary>
internal static class MetricQueryParameters
{
    /// <remarks>Resolution and aggregate arrive as the names ValidateSet allowed; null means automatic and none.</remarks>
    public static MetricQuery Build(string name, IReadOnlyDictionary<string, string>? tags, DateTime? start, DateTime? end, string? resolution, string? aggregate) => new()
    {
        Name = name,
        Tags = tags,
        Start = start is { } from ? new DateTimeOffset(from) : null,
        End = end is { } until ? new DateTimeOffset(until) : null,
        Resolution = resolution is null ? null : MetricResolutions.Parse(resolution),
        Aggregate = aggregate is null ? null : Enum.Parse<MetricAggregate>(aggregate, ignoreCase: true),
    };
}
