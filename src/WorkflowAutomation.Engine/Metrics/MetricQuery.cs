namespace WorkflowAutomation.Metrics;

/// <summary>What to read: series by name pattern and tags, a time range, a resolution and an aggregate.</summary>
public sealed record MetricQuery
{
    /// <summary>Metric name; * and ? are wildcards, case-insensitive. <value>The default value is *.</value></summary>
    public string Name { get; init; } = "*";

    /// <summary>Tags every returned series must have (values may use wildcards).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Start of the range, inclusive. <value>The default value is one hour before End.</value></summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>
    /// End of the range, inclusive. <value>The default value is now</value>; without an end,
    /// samples stamped slightly after now (the later milliseconds of a fast burst) are included too.
    /// </summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>Resolution to read; chosen from the range when null (see <see cref="MetricReader.ChooseResolution"/>).</summary>
    public MetricResolution? Resolution { get; init; }

    /// <summary>
    /// How to summarise. At raw resolution an aggregate gives one sample per series for the whole
    /// range; at a rollup resolution one per bucket. Null returns raw samples, or per bucket the
    /// average (gauges) or the last value (counters).
    /// </summary>
    public MetricAggregate? Aggregate { get; init; }
}
