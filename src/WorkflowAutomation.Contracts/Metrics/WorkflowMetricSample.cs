namespace WorkflowAutomation.Metrics;

/// <summary>
/// One value of one series at one time, as queries return it. Plain properties only, so
/// Measure-Object, Export-Csv and ConvertTo-Json handle it as they handle any object.
/// </summary>
public sealed class WorkflowMetricSample
{
    /// <summary>The dotted metric name, such as system.cpu.usage.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>When the value was taken (raw), the start of its bucket (rollups), or the end of the window (Rate).</summary>
    public DateTimeOffset Timestamp { get; init; }

    public double Value { get; init; }

    /// <summary>"Gauge" or "Counter" (text, so that JSON and CSV show the name).</summary>
    public string Type { get; init; } = nameof(MetricType.Gauge);

    /// <summary>The series' tags as sorted <c>key=value</c> pairs separated by commas; empty when untagged.</summary>
    public string Tags { get; init; } = string.Empty;

    /// <summary>"Raw", "1m", "5m", "15m", "1h" or "1d".</summary>
    public string Resolution { get; init; } = "Raw";

    public override string ToString() => $"{Name}{(Tags.Length > 0 ? "{" + Tags + "}" : "")} {Value} @ {Timestamp:O}";
}

/// <summary>A stored series: a metric name with one combination of tags.</summary>
public sealed class WorkflowMetricSeries
{
    public string Name { get; init; } = string.Empty;

    /// <summary>"Gauge" or "Counter".</summary>
    public string Type { get; init; } = nameof(MetricType.Gauge);

    /// <summary>Sorted <c>key=value</c> pairs separated by commas; empty when untagged.</summary>
    public string Tags { get; init; } = string.Empty;

    /// <summary>Time of the newest raw sample, if any raw sample is still kept.</summary>
    public DateTimeOffset? LastTimestamp { get; init; }

    /// <summary>Value of the newest raw sample.</summary>
    public double? LastValue { get; init; }

    public override string ToString() => Name + (Tags.Length > 0 ? "{" + Tags + "}" : "");
}
