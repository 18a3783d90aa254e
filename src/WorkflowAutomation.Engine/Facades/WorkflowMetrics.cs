using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Facades;

/// <summary>The metrics store of the state directory, for the metric cmdlets, the executor and the dashboard.</summary>
public sealed class WorkflowMetrics(StateDirectory state, WorkflowConfiguration? configuration = null)
{
    private MetricReader? reader;

    private MetricReader Reader => reader ??= MetricReader.ForState(state, configuration is null ? null : MetricStoreOptions.FromConfiguration(configuration));

    public IReadOnlyList<WorkflowMetricSample> Query(MetricQuery query) => Reader.Query(query);

    public IReadOnlyList<WorkflowMetricSeries> ListSeries(string? name = null, IReadOnlyDictionary<string, string>? tags = null) => Reader.ListSeries(name, tags);

    /// <summary>The newest sample of each matching series.</summary>
    public IReadOnlyList<WorkflowMetricSample> Latest(string? name = null, IReadOnlyDictionary<string, string>? tags = null) => Reader.Latest(name, tags);

    public IReadOnlyList<string> Names() => Reader.Names();

    /// <summary>The resolution a query of this range reads when it names none.</summary>
    public MetricResolution ChooseResolution(DateTimeOffset start, DateTimeOffset end) => Reader.ChooseResolution(start, end);

    /// <summary>MetricNotFound, with a did-you-mean, when a name without wildcards names no stored metric.</summary>
    public void RequireKnown(string name)
    {
        if (Wildcard.HasWildcards(name) || Names().Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }
        throw new MetricException(ErrorIds.MetricNotFound, ErrorKind.ObjectNotFound,
            $"No metric is named '{name}'.{DidYouMean.Hint(name, Names())} Get-WorkflowMetric -ListAvailable lists the stored series.");
    }

    /// <summary>Opens the store for writing (one writer thread; dispose it to commit what is queued).</summary>
    public MetricStore OpenStore() => MetricStore.Open(state, configuration ?? WorkflowConfiguration.Load(state));

    /// <summary>The store kept open for this process between commands; dispose the lease to commit and return it.</summary>
    public SharedMetricStore.Lease LeaseStore() => SharedMetricStore.Acquire(state, configuration ?? WorkflowConfiguration.Load(state));
}
