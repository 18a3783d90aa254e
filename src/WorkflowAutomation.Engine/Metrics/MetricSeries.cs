namespace WorkflowAutomation.Metrics;

/// <summary>One series as the writer knows it; its database id is filled in by the writer thread.</summary>
public sealed class MetricSeries
{
    private long lastImplicitTimestamp;

    internal MetricSeries(MetricsWriter writer, string name, string tags, MetricType type)
    {
        Writer = writer;
        Name = name;
        Tags = tags;
        Type = type;
    }

    public string Name { get; }

    /// <summary>Canonical tag text (see <see cref="MetricTags"/>).</summary>
    public string Tags { get; }

    public MetricType Type { get; }

    internal MetricsWriter Writer { get; }

    /// <summary>Database id; 0 until the writer has stored the series. Only the writer thread touches it.</summary>
    internal long Id { get; set; }

    /// <summary>Records a value now (or at <paramref name="timestamp"/>) through the store's one writer; returns its timestamp.</summary>
    public DateTimeOffset Record(double value, DateTimeOffset? timestamp = null) => Writer.Record(this, value, timestamp);

    /// <summary>
    /// "Now" for a sample without a timestamp, kept strictly increasing per series (by 1 ms
    /// when two arrive in the same millisecond) so that a fast producer loses nothing.
    /// </summary>
    internal long NextImplicitTimestamp(long now)
    {
        while (true)
        {
            var last = Volatile.Read(ref lastImplicitTimestamp);
            var next = now > last ? now : last + 1;
            if (Interlocked.CompareExchange(ref lastImplicitTimestamp, next, last) == last)
            {
                return next;
            }
        }
    }

    public override string ToString() => Name + (Tags.Length > 0 ? "{" + Tags + "}" : "");
}
