using System.Collections.Concurrent;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The series a writer has seen, keyed by name and tags, with the type of each name and the
/// cardinality guard. New series are rare, so they take a lock; known ones are lock-free.
/// </summary>
internal sealed class SeriesRegistry
{
    private readonly ConcurrentDictionary<(string Name, string Tags), MetricSeries> series = new();
    private readonly Dictionary<string, (MetricType Type, int Count)> names = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private readonly MetricStoreOptions options;
    private readonly MetricsWriter writer;
    private int total;

    public SeriesRegistry(MetricsWriter writer, MetricStoreOptions options, IEnumerable<(string Name, string Tags, MetricType Type)> existing)
    {
        this.writer = writer;
        this.options = options;
        foreach (var (name, tags, type) in existing)
        {
            var known = names.TryGetValue(name, out var entry) ? entry : (type, 0);
            names[name] = (known.Item1, known.Item2 + 1);
            total++;
        }
    }

    public MetricSeries Get(string name, string tags, MetricType type)
    {
        if (series.TryGetValue((name, tags), out var known) && known.Type == type)
        {
            return known;
        }
        MetricNames.Validate(name);
        lock (gate)
        {
            if (names.TryGetValue(name, out var entry) && entry.Type != type)
            {
                throw new MetricException(ErrorIds.MetricTypeMismatch, ErrorKind.InvalidArgument,
                    $"Metric '{name}' is a {entry.Type}; it cannot also be written as a {type}. Use another name, or -Type {entry.Type}.");
            }
            if (series.TryGetValue((name, tags), out known))
            {
                return known;
            }
            if (entry.Count >= options.MaxSeriesPerName)
            {
                throw new MetricException(ErrorIds.MetricCardinalityExceeded, ErrorKind.InvalidOperation,
                    $"Metric '{name}' already has {entry.Count} tag combinations, the limit ({options.MaxSeriesPerName}); " +
                    $"'{tags}' would add another. A tag whose value changes all the time (a request id, a timestamp, a path) " +
                    "makes every sample a new series: move that value into the metric's value or drop the tag.");
            }
            if (total >= options.MaxSeries)
            {
                throw new MetricException(ErrorIds.MetricCardinalityExceeded, ErrorKind.InvalidOperation,
                    $"The metric store already holds {total} series, the limit ({options.MaxSeries}); '{name}{{{tags}}}' would add another. " +
                    "Use fewer distinct names or tag values.");
            }
            var created = new MetricSeries(writer, name, tags, type);
            names[name] = (type, entry.Count + 1);
            total++;
            series[(name, tags)] = created;
            return created;
        }
    }
}
