namespace WorkflowAutomation.Metrics;

/// <summary>Text formats metrics are exported in.</summary>
public enum MetricExportFormat
{
    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    Prometheus,
    Csv,

    /// <summary>The custom-metrics form the inbox reads, so an export can be dropped into another store's inbox.</summary>
    Json,
}
