using System.Globalization;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>One series of a chart: its name, tags and [unix seconds, value] points.</summary>
public sealed record ChartSeries(string Name, string Tags, string Type, IReadOnlyList<double[]> Points);

/// <summary>
/// Metric reads for the System page, the metrics explorer and Prometheus, through the same
/// <see cref="MetricReader"/> and <see cref="MetricQuery"/> the Get-WorkflowMetric cmdlet uses.
/// </summary>
public sealed class MetricQueries(MetricReader reader, TimeProvider time)
{
    /// <summary>The ranges the pages offer.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase)
    {
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
    };

    /// <summary>The system charts: CPU, memory, disk and network, at the resolution the range calls for.</summary>
    public object System(string range)
    {
        var (start, end, resolution) = Window(range, null);
        var names = new[] { "system.cpu.usage", "system.memory.usage", "system.disk.usage", "system.network.receive.rate", "system.network.transmit.rate", "process.memory.working_set" };
        return new
        {
            Range = range,
            Resolution = resolution.Label(),
            Series = names.SelectMany(name => Series(new MetricQuery { Name = name, Start = start, End = end, Resolution = resolution })).ToList(),
        };
    }

    /// <summary>Any series: name with wildcards, tags, aggregate and resolution (Get-WorkflowMetric's query).</summary>
    public object Explore(string name, string? tags, string? aggregate, string? resolution, string range)
    {
        var chosen = resolution is { Length: > 0 } and not "auto" ? MetricResolutions.Parse(resolution) : (MetricResolution?)null;
        var (start, end, automatic) = Window(range, chosen);
        var query = new MetricQuery
        {
            Name = name,
            Tags = tags is { Length: > 0 } ? MetricTags.Parse(tags) : null,
            Start = start,
            End = end,
            Resolution = chosen ?? automatic,
            Aggregate = aggregate is { Length: > 0 } and not "none" ? Enum.Parse<MetricAggregate>(aggregate, ignoreCase: true) : null,
        };
        var series = Series(query);
        return new { Range = range, Resolution = (chosen ?? automatic).Label(), Series = series.Take(50), Truncated = series.Count > 50 };
    }

    /// <summary>Every stored series (name, type, tags, newest value).</summary>
    public IReadOnlyList<WorkflowMetricSeries> List(string? name) => reader.ListSeries(name is { Length: > 0 } ? name : null);

    /// <summary>The newest value of every series (what /metrics exposes).</summary>
    public IReadOnlyList<WorkflowMetricSample> Latest() => reader.Latest();

    /// <summary>Raw samples of a series over a range, for percentiles.</summary>
    public IReadOnlyList<WorkflowMetricSample> Raw(string name, string range) =>
        reader.Query(new MetricQuery { Name = name, Start = time.GetUtcNow() - Span(range), Resolution = MetricResolution.Raw });

    public IReadOnlyList<ChartSeries> Series(MetricQuery query) =>
        reader.Query(query).GroupBy(sample => (sample.Name, sample.Tags)).Select(group => new ChartSeries(
            group.Key.Name, group.Key.Tags, group.First().Type,
            group.Select(sample => new[] { sample.Timestamp.ToUnixTimeMilliseconds() / 1000.0, sample.Value }).ToList())).ToList();

    public (DateTimeOffset Start, DateTimeOffset End, MetricResolution Resolution) Window(string range, MetricResolution? resolution)
    {
        var end = time.GetUtcNow();
        var start = end - Span(range);
        return (start, end, resolution ?? reader.ChooseResolution(start, end));
    }

    public static TimeSpan Span(string range) =>
        Ranges.TryGetValue(range, out var span) ? span
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{range}' is not a range. Use one of: {string.Join(", ", Ranges.Keys)}."));
}
