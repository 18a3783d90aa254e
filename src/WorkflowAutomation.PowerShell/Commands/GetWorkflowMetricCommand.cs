using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets metric samples, or the list of stored series, from the state directory's metric store.</summary>
/// <remarks>
/// Without -Start and -End the last hour is read. The resolution is chosen from the range
/// unless -Resolution is given: raw samples up to an hour, then the 1m, 5m, 15m, 1h and 1d
/// rollups (each rollup bucket shows its average for gauges and its last value for counters).
/// -Aggregate summarises: per bucket at a rollup resolution, over the whole range at raw
/// resolution. Rate is the per-second increase of a counter, computed as Prometheus rate()
/// does (counter resets handled, extrapolated to the window's edges); its Timestamp is the end
/// of its window. Samples are plain objects (Name, Timestamp, Value, Type, Tags, Resolution)
/// for Measure-Object, Export-Csv and ConvertTo-Json.
/// </remarks>
/// <example>
/// <code>Get-WorkflowMetric -Name system.* -Start (Get-Date).AddHours(-1) | Measure-Object Value -Average</code>
/// <para>Averages every system metric sample of the last hour.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowMetric -Name app.requests -Start (Get-Date).AddDays(-1) -Resolution 1h -Aggregate Rate</code>
/// <para>Requests per second, hour by hour, over the last day.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowMetric -ListAvailable -Name app.*</code>
/// <para>Lists the stored app.* series with their tags and newest value.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowMetric", DefaultParameterSetName = QuerySet)]
[OutputType(typeof(WorkflowMetricSample), ParameterSetName = [QuerySet])]
[OutputType(typeof(WorkflowMetricSeries), ParameterSetName = [ListSet])]
public sealed class GetWorkflowMetricCommand : WorkflowCmdlet
{
    private const string QuerySet = "Query";
    private const string ListSet = "ListAvailable";

    /// <summary>Metric names; wildcards are allowed. All metrics when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MetricNameCompleter))]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Start of the range (inclusive); one hour before -End when omitted.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public DateTime? Start { get; set; }

    /// <summary>End of the range (inclusive); now when omitted.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public DateTime? End { get; set; }

    /// <summary>Raw, 1m, 5m, 15m, 1h or 1d; chosen from the range when omitted.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [MetricResolutionTransformation]
    [ArgumentCompleter(typeof(MetricResolutionCompleter))]
    public MetricResolution? Resolution { get; set; }

    /// <summary>Avg, Min, Max, Sum, Count, Last or Rate.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public MetricAggregate? Aggregate { get; set; }

    /// <summary>Tags the series must have, such as @{ env = 'prod' }; values may use wildcards.</summary>
    [Parameter]
    [MetricTagTransformation]
    public Hashtable? Tag { get; set; }

    /// <summary>Lists the stored series instead of reading samples.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter ListAvailable { get; set; }

    protected override void Process()
    {
        var metrics = new WorkflowMetrics(State, Configuration);
        var tags = MetricTagTransformationAttribute.ToTags(Tag);
        foreach (var name in Name)
        {
            IReadOnlyList<object> found = ListAvailable
                ? metrics.ListSeries(name, tags)
                : metrics.Query(MetricQueryParameters.Build(name, tags, Start, End, Resolution, Aggregate));
            if (found.Count == 0)
            {
                try
                {
                    metrics.RequireKnown(name);
                }
                catch (MetricException exception)
                {
                    WriteItemError(exception, name);
                }
            }
            if (found.Count == 0)
            {
                ExplainNothingFound(metrics, name, tags);
            }
            WriteObject(found, enumerateCollection: true);
        }
    }

    /// <summary>An empty answer says why: no such series, no samples in the range, or no daemon collecting system metrics.</summary>
    private void ExplainNothingFound(WorkflowMetrics metrics, string name, IReadOnlyDictionary<string, string>? tags)
    {
        var withTags = tags is { Count: > 0 } ? " with tags " + string.Join(", ", tags.Select(tag => $"{tag.Key}={tag.Value}")) : "";
        var series = metrics.ListSeries(name, tags).Count;
        if (series == 0)
        {
            WriteVerbose($"No stored series matches '{name}'{withTags}. Get-WorkflowMetric -ListAvailable lists them.");
        }
        else if (!ListAvailable)
        {
            var end = End is { } until ? new DateTimeOffset(until) : DateTimeOffset.Now;
            var start = Start is { } from ? new DateTimeOffset(from) : end.AddHours(-1);
            var resolution = (Resolution ?? metrics.ChooseResolution(start, end)).Label();
            WriteVerbose($"{series} series match '{name}'{withTags}, but none has a sample between {start:u} and {end:u} at resolution {resolution}.");
        }
        if (Wildcard.IsMatch("system.cpu.usage", name) && !new WorkflowDaemon(State, Configuration).IsRunning())
        {
            WriteWarning("No workflow daemon runs for this state directory, and system.* metrics are collected only by the daemon. Start one with Start-WorkflowDaemon.");
        }
    }
}
