using Microsoft.Data.Sqlite;
using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Answers queries against metrics.db. Readers never wait for the writer (WAL); a missing
/// database reads as empty. Safe to use from many threads.
/// </summary>
public sealed class MetricReader(string databasePath, MetricStoreOptions? options = null, TimeProvider? time = null)
{
    private readonly MetricStoreOptions options = options ?? new MetricStoreOptions();
    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>A reader of the state directory's metrics.db.</summary>
    public static MetricReader ForState(StateDirectory state, MetricStoreOptions? options = null, TimeProvider? time = null) =>
        new(state.MetricsDatabase, options, time);

    public string DatabasePath { get; } = databasePath;

    /// <summary>
    /// The resolution for a range: raw up to 1 hour, 1m up to 6 hours, 5m up to 2 days, 15m up
    /// to 7 days, 1h up to 90 days, else 1d; coarser still when the range starts before the
    /// chosen resolution's retention. Each edge is inclusive and 2 % wider than it says, so that
    /// "-Start (Get-Date).AddHours(-1)", which reaches the reader a few milliseconds over an
    /// hour, still reads raw samples.
    /// </summary>
    public MetricResolution ChooseResolution(DateTimeOffset start, DateTimeOffset end)
    {
        var span = end - start;
        var choice = Within(span, TimeSpan.FromHours(1)) ? MetricResolution.Raw
            : Within(span, TimeSpan.FromHours(6)) ? MetricResolution.OneMinute
            : Within(span, TimeSpan.FromDays(2)) ? MetricResolution.FiveMinutes
            : Within(span, TimeSpan.FromDays(7)) ? MetricResolution.FifteenMinutes
            : Within(span, TimeSpan.FromDays(90)) ? MetricResolution.OneHour
            : MetricResolution.OneDay;
        var now = time.GetUtcNow();
        while (choice < MetricResolution.OneDay && !Within(now - start, options.RetentionOf(choice)))
        {
            choice++;
        }
        return choice;
    }

    private static bool Within(TimeSpan span, TimeSpan edge) => span <= edge + edge / 50;

    /// <summary>Samples of every matching series, series by series, oldest first.</summary>
    public IReadOnlyList<WorkflowMetricSample> Query(MetricQuery query)
    {
        var end = query.End ?? time.GetUtcNow();
        var start = query.Start ?? end - TimeSpan.FromHours(1);
        if (start > end)
        {
            throw new MetricException(ErrorIds.MetricQueryInvalid, ErrorKind.InvalidArgument,
                $"The range starts ({start:O}) after it ends ({end:O}). Give a -Start before -End.");
        }
        var resolution = query.Resolution ?? ChooseResolution(start, end);
        var results = new List<WorkflowMetricSample>();
        if (!File.Exists(DatabasePath))
        {
            return results;
        }
        using var connection = MetricSchema.OpenForReading(DatabasePath);
        var hasChunks = SampleChunks.Exist(connection);
        // One snapshot for the whole query: compaction moves samples from the head to chunks in
        // one commit, and reading both under one snapshot sees each sample exactly once.
        using var snapshot = connection.BeginTransaction(deferred: true);
        foreach (var series in Match(snapshot, query.Name, query.Tags))
        {
            // Without an explicit end, samples stamped after "now" (a burst's later milliseconds) are included.
            var readUntil = query.End is null ? long.MaxValue : end.ToUnixTimeMilliseconds();
            var context = new SeriesQuery(snapshot, series, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), readUntil, resolution, hasChunks);
            if (query.Aggregate == MetricAggregate.Rate)
            {
                results.AddRange(RateOf(context));
            }
            else if (resolution == MetricResolution.Raw)
            {
                results.AddRange(RawOf(context, query.Aggregate));
            }
            else
            {
                results.AddRange(RollupOf(context, query.Aggregate ?? (series.Type == MetricType.Counter ? MetricAggregate.Last : MetricAggregate.Avg)));
            }
        }
        return results;
    }

    /// <summary>The stored series whose name and tags match, with their newest raw sample (from the head or a chunk).</summary>
    public IReadOnlyList<WorkflowMetricSeries> ListSeries(string? name = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        if (!File.Exists(DatabasePath))
        {
            return [];
        }
        using var connection = MetricSchema.OpenForReading(DatabasePath);
        var hasChunks = SampleChunks.Exist(connection);
        using var snapshot = connection.BeginTransaction(deferred: true);
        using var newest = connection.CreateCommand();
        newest.Transaction = snapshot;
        newest.CommandText = "SELECT ts, value FROM samples WHERE series_id = $s ORDER BY ts DESC LIMIT 1";
        var id = newest.Parameters.Add("$s", SqliteType.Integer);
        var list = new List<WorkflowMetricSeries>();
        foreach (var series in Match(snapshot, name, tags))
        {
            id.Value = series.Id;
            (long Timestamp, double Value)? last = null;
            using (var reader = newest.ExecuteReader())
            {
                if (reader.Read())
                {
                    last = (reader.GetInt64(0), reader.GetDouble(1));
                }
            }
            if (hasChunks && SampleChunks.Newest(snapshot, series.Id) is { } compacted && (last is null || compacted.Timestamp > last.Value.Timestamp))
            {
                // A late sample can sit in the head behind the newest compacted one.
                last = compacted;
            }
            list.Add(new WorkflowMetricSeries
            {
                Name = series.Name,
                Type = series.Type.ToString(),
                Tags = series.Tags,
                LastTimestamp = last is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(l.Timestamp) : null,
                LastValue = last?.Value,
            });
        }
        return list;
    }

    /// <summary>The newest raw sample of every matching series (what a Prometheus scrape shows).</summary>
    public IReadOnlyList<WorkflowMetricSample> Latest(string? name = null, IReadOnlyDictionary<string, string>? tags = null) =>
        ListSeries(name, tags).Where(s => s.LastTimestamp is not null).Select(s => new WorkflowMetricSample
        {
            Name = s.Name,
            Type = s.Type,
            Tags = s.Tags,
            Timestamp = s.LastTimestamp!.Value,
            Value = s.LastValue!.Value,
            Resolution = MetricResolution.Raw.Label(),
        }).ToList();

    /// <summary>Distinct metric names, for tab completion.</summary>
    public IReadOnlyList<string> Names()
    {
        if (!File.Exists(DatabasePath))
        {
            return [];
        }
        using var connection = MetricSchema.OpenForReading(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT name FROM series ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static List<StoredSeries> Match(SqliteTransaction snapshot, string? name, IReadOnlyDictionary<string, string>? tags)
    {
        var matches = Wildcard.Matcher(name);
        var tagMatchers = tags?.Select(t => (t.Key, Match: Wildcard.Matcher(t.Value))).ToList() ?? [];
        using var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "SELECT id, name, tags, type FROM series ORDER BY name, tags";
        if (LiteralPrefix(name) is { Length: > 0 } prefix)
        {
            // The names that can match, from the index, rather than every series of the store:
            // valid names are ASCII below DEL, so every name starting with the prefix sorts before
            // prefix + DEL under NOCASE, which folds ASCII case exactly as the matcher does.
            command.CommandText = SeriesByPrefix;
            command.Parameters.AddWithValue("$low", prefix);
            command.Parameters.AddWithValue("$high", prefix + '\u007f');
        }
        using var reader = command.ExecuteReader();
        var list = new List<StoredSeries>();
        while (reader.Read())
        {
            var series = new StoredSeries(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (MetricType)reader.GetInt32(3));
            if (!matches(series.Name))
            {
                continue;
            }
            if (tagMatchers.Count > 0)
            {
                var parsed = MetricTags.Parse(series.Tags);
                if (!tagMatchers.All(t => parsed.TryGetValue(t.Key, out var value) && t.Match(value)))
                {
                    continue;
                }
            }
            list.Add(series);
        }
        return list;
    }

    /// <summary>The series whose name starts with $low (any case) and sorts before $high.</summary>
    internal const string SeriesByPrefix =
        "SELECT id, name, tags, type FROM series WHERE name >= $low COLLATE NOCASE AND name < $high COLLATE NOCASE ORDER BY name, tags";

    /// <summary>What every name a pattern matches starts with: the text before its first wildcard.</summary>
    internal static string LiteralPrefix(string? pattern) =>
        pattern is null ? string.Empty : pattern[..(pattern.AsSpan().IndexOfAny('*', '?') is var at and >= 0 ? at : pattern.Length)];

    private static IEnumerable<WorkflowMetricSample> RawOf(SeriesQuery context, MetricAggregate? aggregate)
    {
        if (aggregate is null)
        {
            return context.RawSamples();
        }
        var points = context.RawPoints(context.Start - 1);
        if (points.Count == 0)
        {
            return [];
        }
        var cell = new RollupCell();
        foreach (var (timestamp, value) in points)
        {
            cell.Add(timestamp, value);
        }
        return [context.Sample(context.End, Summarise(cell, aggregate.Value))];
    }

    private static IEnumerable<WorkflowMetricSample> RollupOf(SeriesQuery context, MetricAggregate aggregate) =>
        context.RollupSamples(aggregate switch
        {
            MetricAggregate.Min => "min",
            MetricAggregate.Max => "max",
            MetricAggregate.Sum => "sum",
            MetricAggregate.Count => "count",
            MetricAggregate.Last => "last",
            _ => "sum / count",
        });

    private IEnumerable<WorkflowMetricSample> RateOf(SeriesQuery context)
    {
        var isCounter = context.Series.Type == MetricType.Counter;
        if (context.Resolution == MetricResolution.Raw)
        {
            var rate = PrometheusRate.Rate(context.RawPoints(context.Start, context.End), context.Start, context.End, isCounter);
            return rate is null ? [] : [context.Sample(context.End, rate.Value)];
        }
        // One Prometheus rate() per bucket, over the window (bucket start, bucket end], stamped
        // at the window's end as a Prometheus range query with step = bucket size would be.
        var size = context.Resolution.BucketMilliseconds();
        var firstWindow = MetricResolutions.BucketStart(context.Start, size);
        var points = PointsForRate(context, firstWindow);
        var samples = new List<WorkflowMetricSample>();
        var index = 0;
        for (var window = firstWindow; window <= context.End; window += size)
        {
            var inWindow = new List<(long, double)>();
            while (index < points.Count && points[index].Timestamp <= window)
            {
                index++;
            }
            for (var i = index; i < points.Count && points[i].Timestamp <= window + size; i++)
            {
                inWindow.Add(points[i]);
            }
            if (PrometheusRate.Rate(inWindow, window, window + size, isCounter) is { } rate)
            {
                samples.Add(context.Sample(window + size, rate));
            }
        }
        return samples;
    }

    /// <summary>
    /// Raw samples while the range is within raw retention; older ranges fall back to the
    /// last value of each bucket of the finest rollup still kept (a reset inside one of those
    /// buckets is then invisible).
    /// </summary>
    private List<(long Timestamp, double Value)> PointsForRate(SeriesQuery context, long from)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (from >= now - (long)options.RawRetention.TotalMilliseconds)
        {
            return context.RawPoints(from, context.End + context.Resolution.BucketMilliseconds());
        }
        var finest = MetricResolutions.Rollups.First(r =>
            r == MetricResolution.OneDay || from >= now - (long)options.RetentionOf(r).TotalMilliseconds);
        return context.LastPoints(finest, from);
    }

    private static double Summarise(RollupCell cell, MetricAggregate aggregate) => aggregate switch
    {
        MetricAggregate.Min => cell.Min,
        MetricAggregate.Max => cell.Max,
        MetricAggregate.Sum => cell.Sum,
        MetricAggregate.Count => cell.Count,
        MetricAggregate.Last => cell.Last,
        _ => cell.Sum / cell.Count,
    };

    private sealed record StoredSeries(long Id, string Name, string Tags, MetricType Type);

    /// <summary>
    /// One series' part of a query, with the reads it needs. Raw reads return the head rows and
    /// the compacted chunks overlapping the range together, in timestamp order (the writer never
    /// stores a timestamp twice, so nothing is duplicated).
    /// </summary>
    private sealed class SeriesQuery(SqliteTransaction snapshot, StoredSeries series, long start, long end, long readUntil,
        MetricResolution resolution, bool hasChunks)
    {
        private readonly string type = series.Type.ToString();
        private readonly string label = resolution.Label();

        public StoredSeries Series => series;
        public long Start => start;
        public long End => end;
        public MetricResolution Resolution => resolution;

        private SqliteCommand Command()
        {
            var command = snapshot.Connection!.CreateCommand();
            command.Transaction = snapshot;
            return command;
        }

        public WorkflowMetricSample Sample(long timestamp, double value) => new()
        {
            Name = series.Name,
            Tags = series.Tags,
            Type = type,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp),
            Value = value,
            Resolution = label,
        };

        /// <summary>Raw samples in [start, end], read straight into result objects (the hot path of dashboards).</summary>
        public List<WorkflowMetricSample> RawSamples()
        {
            var compacted = Compacted(start, readUntil);
            if (compacted.Count > 0)
            {
                return RawPoints(start - 1, readUntil, compacted).ConvertAll(p => Sample(p.Timestamp, p.Value));
            }
            using var command = Command();
            command.CommandText = "SELECT ts, value FROM samples WHERE series_id = $s AND ts >= $from AND ts <= $until ORDER BY ts";
            command.Parameters.AddWithValue("$s", series.Id);
            command.Parameters.AddWithValue("$from", start);
            command.Parameters.AddWithValue("$until", readUntil);
            using var reader = command.ExecuteReader();
            var samples = new List<WorkflowMetricSample>();
            while (reader.Read())
            {
                samples.Add(Sample(reader.GetInt64(0), reader.GetDouble(1)));
            }
            return samples;
        }

        /// <summary>Raw samples with after &lt; ts &lt;= until (until defaults to the range's end).</summary>
        public List<(long Timestamp, double Value)> RawPoints(long after, long? until = null) =>
            RawPoints(after, until ?? readUntil, Compacted(after + 1, until ?? readUntil));

        private List<(long Timestamp, double Value)> Compacted(long from, long until)
        {
            var points = new List<(long, double)>();
            if (hasChunks && from <= until)
            {
                SampleChunks.Read(snapshot, series.Id, from, until, points);
            }
            return points;
        }

        /// <summary>Head rows with after &lt; ts &lt;= until merged into the compacted ones of the same range.</summary>
        private List<(long Timestamp, double Value)> RawPoints(long after, long until, List<(long Timestamp, double Value)> compacted)
        {
            using var command = Command();
            command.CommandText = "SELECT ts, value FROM samples WHERE series_id = $s AND ts > $after AND ts <= $until ORDER BY ts";
            command.Parameters.AddWithValue("$s", series.Id);
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$until", until);
            using var reader = command.ExecuteReader();
            var points = compacted;
            var sorted = true;
            while (reader.Read())
            {
                var point = (reader.GetInt64(0), reader.GetDouble(1));
                sorted &= points.Count == 0 || points[^1].Item1 < point.Item1;
                points.Add(point);
            }
            if (!sorted)
            {
                // Late samples in the head interleave with the compacted ones.
                points.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            }
            return points;
        }

        /// <summary>One sample per rollup bucket overlapping the range; <paramref name="expression"/> summarises the bucket's row.</summary>
        public List<WorkflowMetricSample> RollupSamples(string expression)
        {
            using var command = Command();
            command.CommandText = $"SELECT bucket, {expression} FROM {resolution.Table()} " +
                "WHERE series_id = $s AND bucket >= $from AND bucket <= $end ORDER BY bucket";
            command.Parameters.AddWithValue("$s", series.Id);
            command.Parameters.AddWithValue("$from", MetricResolutions.BucketStart(start, resolution.BucketMilliseconds()));
            command.Parameters.AddWithValue("$end", readUntil);
            using var reader = command.ExecuteReader();
            var samples = new List<WorkflowMetricSample>();
            while (reader.Read())
            {
                samples.Add(Sample(reader.GetInt64(0), reader.GetDouble(1)));
            }
            return samples;
        }

        /// <summary>(last_ts, last) of each bucket of a rollup from a bucket start on.</summary>
        public List<(long Timestamp, double Value)> LastPoints(MetricResolution rollup, long from)
        {
            using var command = Command();
            command.CommandText = $"SELECT last_ts, last FROM {rollup.Table()} WHERE series_id = $s AND bucket >= $from AND bucket <= $end ORDER BY bucket";
            command.Parameters.AddWithValue("$s", series.Id);
            command.Parameters.AddWithValue("$from", MetricResolutions.BucketStart(from, rollup.BucketMilliseconds()));
            command.Parameters.AddWithValue("$end", end + resolution.BucketMilliseconds());
            using var reader = command.ExecuteReader();
            var points = new List<(long, double)>();
            while (reader.Read())
            {
                points.Add((reader.GetInt64(0), reader.GetDouble(1)));
            }
            return points;
        }
    }
}
