using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>Series with known values at injected times; rollups and aggregates against hand-computed numbers.</summary>
public sealed class MetricStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(T0.AddMinutes(10));
    private readonly MetricStore store;

    public MetricStoreTests()
    {
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), time);
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    private IReadOnlyList<WorkflowMetricSample> Query(string name, MetricResolution resolution, MetricAggregate? aggregate = null,
        DateTimeOffset? start = null, DateTimeOffset? end = null) =>
        store.Query(new MetricQuery { Name = name, Start = start ?? T0, End = end ?? T0.AddMinutes(3).AddMilliseconds(-1), Resolution = resolution, Aggregate = aggregate });

    [Fact]
    public void Rollups_hold_min_max_sum_count_and_last_of_each_bucket()
    {
        // load 10s: cpu 0+1x17 -> 0..5 in minute 0, 6..11 in minute 1, 12..17 in minute 2.
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "0+1x17");

        Assert.Equal([2.5, 8.5, 14.5], Query("cpu", MetricResolution.OneMinute).Select(s => s.Value));
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], Query("cpu", MetricResolution.OneMinute).Select(s => s.Timestamp));
        Assert.Equal([0.0, 6, 12], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Min).Select(s => s.Value));
        Assert.Equal([5.0, 11, 17], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Max).Select(s => s.Value));
        Assert.Equal([15.0, 51, 87], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Sum).Select(s => s.Value));
        Assert.Equal([6.0, 6, 6], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Count).Select(s => s.Value));
        Assert.Equal([5.0, 11, 17], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Last).Select(s => s.Value));
        foreach (var coarse in new[] { MetricResolution.FiveMinutes, MetricResolution.FifteenMinutes, MetricResolution.OneHour, MetricResolution.OneDay })
        {
            var bucket = Assert.Single(Query("cpu", coarse, MetricAggregate.Sum));
            Assert.Equal(153, bucket.Value);
            Assert.Equal(T0, bucket.Timestamp);
            Assert.Equal(8.5, Assert.Single(Query("cpu", coarse)).Value);
            Assert.Equal(18, Assert.Single(Query("cpu", coarse, MetricAggregate.Count)).Value);
            Assert.Equal(coarse.Label(), Assert.Single(Query("cpu", coarse)).Resolution);
        }
    }

    [Fact]
    public void Rollups_built_across_many_batches_and_out_of_order_match_one_batch()
    {
        var series = store.Writer.Series("cpu");
        foreach (var i in new[] { 17, 3, 0, 9, 12, 5, 1, 16, 2, 11, 4, 15, 6, 14, 7, 13, 8, 10 })
        {
            series.Record(i, T0.AddSeconds(10 * i));
            store.Writer.Flush();
        }
        Assert.Equal([5.0, 11, 17], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Last).Select(s => s.Value));
        Assert.Equal([0.0, 6, 12], Query("cpu", MetricResolution.OneMinute, MetricAggregate.Min).Select(s => s.Value));
        Assert.Equal(153, Assert.Single(Query("cpu", MetricResolution.OneHour, MetricAggregate.Sum)).Value);
    }

    [Fact]
    public void Raw_aggregates_summarise_the_whole_range()
    {
        SeriesLoader.Load(store, "latency", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "4 8 15 16 23 42");
        var end = T0.AddMinutes(1);
        double Raw(MetricAggregate aggregate) => Assert.Single(Query("latency", MetricResolution.Raw, aggregate, T0, end)).Value;
        Assert.Equal(18, Raw(MetricAggregate.Avg));
        Assert.Equal(4, Raw(MetricAggregate.Min));
        Assert.Equal(42, Raw(MetricAggregate.Max));
        Assert.Equal(108, Raw(MetricAggregate.Sum));
        Assert.Equal(6, Raw(MetricAggregate.Count));
        Assert.Equal(42, Raw(MetricAggregate.Last));
        Assert.Equal([4.0, 8, 15, 16, 23, 42], Query("latency", MetricResolution.Raw, null, T0, end).Select(s => s.Value));
        // The range is inclusive at both ends.
        Assert.Equal([8.0, 15], Query("latency", MetricResolution.Raw, null, T0.AddSeconds(10), T0.AddSeconds(20)).Select(s => s.Value));
    }

    [Fact]
    public void Rate_across_a_counter_reset_matches_prometheus()
    {
        SeriesLoader.Load(store, "app.requests", MetricType.Counter, T0.AddSeconds(10), TimeSpan.FromSeconds(10), "10 20 30 5 15 25");
        var rate = Assert.Single(store.Query(new MetricQuery
        {
            Name = "app.requests", Start = T0, End = T0.AddSeconds(60), Resolution = MetricResolution.Raw, Aggregate = MetricAggregate.Rate,
        }));
        Assert.Equal(0.9, rate.Value, 12);
        Assert.Equal(T0.AddSeconds(60), rate.Timestamp);
        Assert.Equal("Counter", rate.Type);
    }

    [Fact]
    public void Rate_per_bucket_evaluates_each_window()
    {
        // load 15s: 0+15x7 then a reset and 0+30x3 over minutes 0..2 (one sample every 15 s).
        SeriesLoader.Load(store, "jobs", MetricType.Counter, T0, TimeSpan.FromSeconds(15), "0+15x7 0+30x3");
        var rates = store.Query(new MetricQuery
        {
            Name = "jobs", Start = T0, End = T0.AddMinutes(2).AddMilliseconds(-1), Resolution = MetricResolution.OneMinute, Aggregate = MetricAggregate.Rate,
        });
        // Window (0, 60]: 15 30 45 60 at 15..60 s -> 45 in 45 s, extrapolated 15 s back (zero point is 15 s back too): 1/s.
        // Window (60, 120]: 75 90 105 at 75..105 s, then the reset to 0 at 120 s -> 0 - 75 + 105 = 30 in 45 s,
        // extrapolated 15 s to the start (the zero point is 112.5 s back), 0 to the end: 30 * 60/45 / 60 = 2/3 per second.
        Assert.Equal([1.0, Math.Round(2.0 / 3, 12)], rates.Select(r => Math.Round(r.Value, 12)));
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2)], rates.Select(r => r.Timestamp));
    }

    [Fact]
    public void Counters_default_to_the_last_value_and_gauges_to_the_average_per_bucket()
    {
        SeriesLoader.Load(store, "hits", MetricType.Counter, T0, TimeSpan.FromSeconds(30), "1 2 3 4");
        Assert.Equal([2.0, 4], Query("hits", MetricResolution.OneMinute).Select(s => s.Value));
    }

    [Fact]
    public void Names_match_wildcards_and_tags_filter_series()
    {
        store.Writer.Record("system.cpu.usage", 10, timestamp: T0);
        store.Writer.Record("system.memory.usage", 20, timestamp: T0);
        store.Writer.Record("app.requests", 5, MetricType.Counter, new Dictionary<string, string> { ["env"] = "prod" }, T0);
        store.Writer.Record("app.requests", 7, MetricType.Counter, new Dictionary<string, string> { ["env"] = "test" }, T0);
        store.Writer.Flush();

        Assert.Equal(["system.cpu.usage", "system.memory.usage"], Query("SYSTEM.*", MetricResolution.Raw).Select(s => s.Name));
        var prod = Assert.Single(store.Query(new MetricQuery
        {
            Name = "app.*", Tags = new Dictionary<string, string> { ["env"] = "prod" }, Start = T0, End = T0, Resolution = MetricResolution.Raw,
        }));
        Assert.Equal(5, prod.Value);
        Assert.Equal("env=prod", prod.Tags);
        Assert.Equal(["app.requests", "app.requests", "system.cpu.usage", "system.memory.usage"], store.Reader.ListSeries().Select(s => s.Name));
        Assert.Equal(7, store.Reader.ListSeries("app.requests", new Dictionary<string, string> { ["env"] = "t*" }).Single().LastValue);
    }

    [Fact]
    public void Resolution_is_chosen_from_the_range_and_retention()
    {
        var now = time.GetUtcNow();
        Assert.Equal(MetricResolution.Raw, store.Reader.ChooseResolution(now.AddHours(-1), now));
        Assert.Equal(MetricResolution.OneMinute, store.Reader.ChooseResolution(now.AddHours(-6), now));
        Assert.Equal(MetricResolution.FiveMinutes, store.Reader.ChooseResolution(now.AddDays(-1), now));
        Assert.Equal(MetricResolution.FifteenMinutes, store.Reader.ChooseResolution(now.AddDays(-7), now));
        Assert.Equal(MetricResolution.OneHour, store.Reader.ChooseResolution(now.AddDays(-30), now));
        Assert.Equal(MetricResolution.OneDay, store.Reader.ChooseResolution(now.AddDays(-200), now));
        // "(Get-Date).AddHours(-1)" reaches the reader a hair over an hour before its end.
        Assert.Equal(MetricResolution.Raw, store.Reader.ChooseResolution(now.AddHours(-1), now.AddMilliseconds(40)));
        Assert.Equal(MetricResolution.OneMinute, store.Reader.ChooseResolution(now.AddHours(-1).AddMinutes(-5), now));
        // A short range older than the raw retention is read from the 1m rollup.
        Assert.Equal(MetricResolution.OneMinute, store.Reader.ChooseResolution(now.AddDays(-8), now.AddDays(-8).AddMinutes(30)));
    }

    [Fact]
    public void Samples_without_timestamp_in_the_same_millisecond_are_all_kept()
    {
        var series = store.Writer.Series("burst", MetricType.Counter);
        for (var i = 0; i < 1000; i++)
        {
            series.Record(i);
        }
        store.Writer.Flush();
        var samples = store.Query(new MetricQuery { Name = "burst", Start = time.GetUtcNow().AddMinutes(-1), End = time.GetUtcNow().AddSeconds(2) });
        Assert.Equal(1000, samples.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (double)i), samples.Select(s => s.Value));
    }

    [Fact]
    public void A_second_sample_at_the_same_timestamp_is_ignored_and_not_counted_twice()
    {
        store.Writer.Record("dup", 1, timestamp: T0);
        store.Writer.Record("dup", 2, timestamp: T0);
        store.Writer.Flush();
        Assert.Equal(1, store.Writer.Duplicates);
        Assert.Equal(1, Assert.Single(Query("dup", MetricResolution.OneMinute, MetricAggregate.Count)).Value);
        Assert.Equal(1, Assert.Single(Query("dup", MetricResolution.Raw)).Value);
    }

    [Fact]
    public void Many_concurrent_writers_lose_nothing()
    {
        const int Writers = 8, PerWriter = 5000;
        var shared = store.Writer.Series("shared.counter", MetricType.Counter);
        System.Threading.Tasks.Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
        {
            var own = store.Writer.Series("writer.gauge", MetricType.Gauge, new Dictionary<string, string> { ["writer"] = w.ToString() });
            for (var i = 0; i < PerWriter; i++)
            {
                own.Record(i, T0.AddMilliseconds(i));
                shared.Record(i, T0.AddMilliseconds((i * Writers) + w));
            }
        });
        store.Writer.Flush();

        Assert.Equal(2 * Writers * PerWriter, store.Writer.Committed);
        Assert.Equal(0, store.Writer.Duplicates);
        Assert.Null(store.Writer.LastError);
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT (SELECT count(*) FROM samples), (SELECT sum(count) FROM rollup_1m), (SELECT sum(count) FROM rollup_1d)";
        using var reader = count.ExecuteReader();
        reader.Read();
        Assert.Equal(2 * Writers * PerWriter, reader.GetInt64(0));
        Assert.Equal(2 * Writers * PerWriter, reader.GetInt64(1));
        Assert.Equal(2 * Writers * PerWriter, reader.GetInt64(2));
        var sum = Assert.Single(store.Query(new MetricQuery { Name = "shared.counter", Start = T0, End = T0.AddMinutes(1), Resolution = MetricResolution.OneHour, Aggregate = MetricAggregate.Sum }));
        Assert.Equal((double)Writers * PerWriter * (PerWriter - 1) / 2, sum.Value);
    }

    [Fact]
    public void Runaway_tag_cardinality_is_refused_with_a_clear_error()
    {
        using var small = MetricStore.Open(System.IO.Path.Combine(folder.Path, "small.db"), new MetricStoreOptions { MaxSeriesPerName = 3 }, time);
        for (var i = 0; i < 3; i++)
        {
            small.Writer.Record("http.requests", 1, MetricType.Counter, new Dictionary<string, string> { ["request_id"] = i.ToString() });
        }
        var error = Assert.Throws<MetricException>(() =>
            small.Writer.Record("http.requests", 1, MetricType.Counter, new Dictionary<string, string> { ["request_id"] = "3" }));
        Assert.Equal("MetricCardinalityExceeded", error.ErrorId);
        Assert.Contains("'http.requests' already has 3 tag combinations", error.Message);
        // Known series still take samples.
        small.Writer.Record("http.requests", 2, MetricType.Counter, new Dictionary<string, string> { ["request_id"] = "1" });
    }

    [Fact]
    public void Invalid_samples_are_refused_at_once()
    {
        Assert.Equal("MetricNameInvalid", Assert.Throws<MetricException>(() => store.Writer.Record("9lives", 1)).ErrorId);
        Assert.Equal("MetricValueInvalid", Assert.Throws<MetricException>(() => store.Writer.Record("x", double.NaN)).ErrorId);
        Assert.Equal("MetricValueInvalid", Assert.Throws<MetricException>(() => store.Writer.Record("c", -1, MetricType.Counter)).ErrorId);
        Assert.Equal("MetricTagInvalid", Assert.Throws<MetricException>(() =>
            store.Writer.Record("x", 1, tags: new Dictionary<string, string> { ["bad key"] = "v" })).ErrorId);
        store.Writer.Record("typed", 1, MetricType.Counter);
        var mismatch = Assert.Throws<MetricException>(() => store.Writer.Record("typed", 1, MetricType.Gauge));
        Assert.Equal("MetricTypeMismatch", mismatch.ErrorId);
    }

    [Fact]
    public void The_database_is_owner_only_and_in_wal_mode()
    {
        store.Writer.Record("x", 1);
        store.Writer.Flush();
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath));
        }
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)mode.ExecuteScalar()!);
    }

    [Fact]
    public async Task Rate_of_a_range_older_than_raw_retention_uses_the_last_value_of_each_minute()
    {
        // Thirty minutes of a counter rising 1 a second, ten days ago: raw samples are gone after
        // retention, the 1m rollup keeps (last_ts, last) per minute, and rate() over those gives 1/s.
        var old = time.GetUtcNow().AddDays(-10);
        old = old.AddTicks(-(old.Ticks % TimeSpan.TicksPerHour));
        SeriesLoader.Load(store, "old.requests", MetricType.Counter, old, TimeSpan.FromSeconds(1), "0+1x1799");
        await store.Writer.EnforceRetentionAsync();
        Assert.Empty(store.Query(new MetricQuery { Name = "old.requests", Start = old, End = old.AddMinutes(30), Resolution = MetricResolution.Raw }));

        var rates = store.Query(new MetricQuery
        {
            Name = "old.requests", Start = old, End = old.AddMinutes(30).AddMilliseconds(-1), Resolution = MetricResolution.FiveMinutes, Aggregate = MetricAggregate.Rate,
        });
        Assert.Equal(6, rates.Count);
        Assert.All(rates, r => Assert.Equal(1.0, r.Value, 9));
    }

    [Fact]
    public void Options_follow_the_configuration()
    {
        var configurationFolder = new TempFolder();
        try
        {
            WorkflowAutomation.Configuration.WorkflowConfiguration.Set(configurationFolder.State,
                new Dictionary<string, string> { ["METRICS_RETENTION_DAYS"] = "12" });
            var configuration = WorkflowAutomation.Configuration.WorkflowConfiguration.Load(configurationFolder.State,
                new WorkflowAutomation.Platform.DictionaryEnvironment(new Dictionary<string, string>()));
            var options = MetricStoreOptions.FromConfiguration(configuration);
            Assert.Equal(TimeSpan.FromDays(12), options.RollupRetention);
            Assert.Equal(TimeSpan.FromDays(7), options.RawRetention);
            Assert.Equal(TimeSpan.FromDays(365), options.DailyRetention);
        }
        finally
        {
            configurationFolder.Dispose();
        }
    }

    [Fact]
    public void A_failed_batch_is_reported_by_flush_and_the_writer_goes_on()
    {
        store.Writer.Record("before", 1, timestamp: T0);
        store.Writer.Flush();
        using (var connection = new SqliteConnection($"Data Source={store.DatabasePath}"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE samples";
            drop.ExecuteNonQuery();
        }
        store.Writer.Record("before", 2, timestamp: T0.AddSeconds(1));
        Assert.Throws<SqliteException>(() => store.Writer.Flush());
        Assert.NotNull(store.Writer.LastError);

        MetricSchema.Create(store.DatabasePath);
        store.Writer.Record("after", 3, timestamp: T0);
        store.Writer.Flush();
        Assert.Equal(3, Assert.Single(Query("after", MetricResolution.Raw)).Value);
    }
}
