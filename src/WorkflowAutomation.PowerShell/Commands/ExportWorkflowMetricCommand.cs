using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Exports metrics as Prometheus text, CSV or JSON.</summary>
/// <remarks>
/// Without -Start the newest value of every matching series is exported (what a Prometheus
/// scrape shows). With -Start (and optionally -End, -Resolution, -Aggregate) the samples of
/// that range are exported, as Get-WorkflowMetric would return them. Prometheus text follows
/// format 0.0.4: dots become underscores, counters end in _total, each family has HELP and
/// TYPE lines. JSON is the form the metrics inbox reads, so an export can be dropped into
/// another state directory's metrics-inbox folder.
/// </remarks>
/// <example>
/// <code>Export-WorkflowMetric -Format Prometheus | Set-Content ./metrics.prom</code>
/// <para>Writes the newest value of every series in Prometheus text format.</para>
/// </example>
/// <example>
/// <code>Export-WorkflowMetric -Format Csv -Name system.* -Start (Get-Date).AddDays(-1) -Resolution 1h</code>
/// <para>Hourly averages of the system metrics of the last day as CSV.</para>
/// </example>
[Cmdlet(VerbsData.Export, "WorkflowMetric")]
[OutputType(typeof(string))]
public sealed class ExportWorkflowMetricCommand : WorkflowCmdlet
{
    /// <summary>Prometheus, Csv or Json.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public MetricExportFormat Format { get; set; } = MetricExportFormat.Prometheus;

    /// <summary>Metric names; wildcards are allowed. All metrics when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MetricNameCompleter))]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Tags the series must have, such as @{ env = 'prod' }.</summary>
    [Parameter]
    [MetricTagTransformation]
    public Hashtable? Tag { get; set; }

    /// <summary>Exports the samples of a range from this time on instead of the newest values.</summary>
    [Parameter]
    public DateTime? Start { get; set; }

    /// <summary>End of the range; now when omitted.</summary>
    [Parameter]
    public DateTime? End { get; set; }

    /// <summary>Raw, 1m, 5m, 15m, 1h or 1d for a range; chosen from the range when omitted.</summary>
    [Parameter]
    [MetricResolutionTransformation]
    [ArgumentCompleter(typeof(MetricResolutionCompleter))]
    public MetricResolution? Resolution { get; set; }

    /// <summary>Avg, Min, Max, Sum, Count, Last or Rate for a range.</summary>
    [Parameter]
    public MetricAggregate? Aggregate { get; set; }

    private readonly List<WorkflowMetricSample> samples = [];

    protected override void Process()
    {
        var reader = new WorkflowMetrics(State, Configuration);
        var tags = MetricTagTransformationAttribute.ToTags(Tag);
        foreach (var name in Name)
        {
            samples.AddRange(Start is null && End is null
                ? reader.Latest(name, tags)
                : reader.Query(MetricQueryParameters.Build(name, tags, Start, End, Resolution, Aggregate)));
        }
    }

    protected override void OnEnd() => WriteObject(MetricExporter.Export(samples, Format));
}
