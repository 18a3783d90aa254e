namespace WorkflowAutomation.Metrics;

/// <summary>The granularity of stored samples: raw, or one of the rollups.</summary>
public enum MetricResolution
{
    Raw,
    OneMinute,
    FiveMinutes,
    FifteenMinutes,
    OneHour,
    OneDay,
}
