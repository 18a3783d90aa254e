namespace WorkflowAutomation.Metrics;

/// <summary>How a metric's values are read: a gauge is a level, a counter only grows (until its process restarts).</summary>
public enum MetricType
{
    Gauge,
    Counter,
}

/// <summary>How the samples of one time bucket (or of the whole range at raw resolution) are summarised.</summary>
public enum MetricAggregate
{
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Last,

    /// <summary>Per-second increase of a counter, computed as Prometheus <c>rate()</c> does.</summary>
    Rate,
}
