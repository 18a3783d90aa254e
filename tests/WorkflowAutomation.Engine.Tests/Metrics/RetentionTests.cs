using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>Retention per resolution, exactly at its boundary, in small steps.</summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(Now);

    public void Dispose() => folder.Dispose();

    private MetricStore Open(int batch = 5000) => MetricStore.Open(folder.State,
        new MetricStoreOptions { RollupRetention = TimeSpan.FromDays(30), RetentionBatchSize = batch }, time);

    private static List<long> Keys(MetricStore store, string table)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {(table == "samples" ? "ts" : "bucket")} FROM {table} ORDER BY 1";
        using var reader = command.ExecuteReader();
        var keys = new List<long>();
        while (reader.Read())
        {
            keys.Add(reader.GetInt64(0));
        }
        return keys;
    }

    [Fact]
    public async Task Each_resolution_keeps_exactly_its_retention()
    {
        using var store = Open();
        var series = store.Writer.Series("disk.used");
        var sevenDays = Now.AddDays(-7);
        var thirtyDays = Now.AddDays(-30);
        var year = Now.AddDays(-365);
        foreach (var at in new[] { sevenDays.AddMilliseconds(-1), sevenDays, sevenDays.AddMilliseconds(1), thirtyDays.AddMinutes(-1), thirtyDays, year.AddDays(-1), year })
        {
            series.Record(1, at);
        }
        store.Writer.Flush();
        await store.Writer.EnforceRetentionAsync();

        // Raw: 7 days, inclusive of the sample exactly 7 days old.
        Assert.Equal([sevenDays.ToUnixTimeMilliseconds(), sevenDays.AddMilliseconds(1).ToUnixTimeMilliseconds()], Keys(store, "samples"));
        // 1m..1h: a bucket goes once it ended 30 days ago or earlier: the minute (hour) ending exactly then is gone.
        long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
        Assert.Equal([Ms(thirtyDays), Ms(sevenDays.AddMinutes(-1)), Ms(sevenDays)], Keys(store, "rollup_1m"));
        Assert.Equal([Ms(thirtyDays), Ms(sevenDays.AddHours(-1)), Ms(sevenDays)], Keys(store, "rollup_1h"));
        // 1d: a year; the day that ended exactly a year ago is gone, the day starting then stays.
        Assert.Equal([Ms(year), Ms(thirtyDays.AddDays(-1)), Ms(thirtyDays), Ms(sevenDays.AddDays(-1)), Ms(sevenDays)], Keys(store, "rollup_1d"));
    }

    [Fact]
    public async Task Retention_runs_in_small_steps_while_writers_go_on()
    {
        using var store = Open(batch: 7);
        var old = store.Writer.Series("old");
        for (var i = 0; i < 100; i++)
        {
            old.Record(i, Now.AddDays(-8).AddSeconds(i));
        }
        store.Writer.Flush();
        var retention = store.Writer.EnforceRetentionAsync();
        var fresh = store.Writer.Series("fresh");
        for (var i = 0; i < 100; i++)
        {
            fresh.Record(i, Now.AddSeconds(-i));
        }
        var deleted = await retention;
        store.Writer.Flush();

        Assert.Equal(100, deleted);
        Assert.Equal(100, Keys(store, "samples").Count);
        Assert.Equal(100, store.Query(new MetricQuery { Name = "fresh", Start = Now.AddMinutes(-5), End = Now, Resolution = MetricResolution.Raw }).Count);
        // The rollups of the old raw samples are within their own retention and stay.
        Assert.Equal(100, Assert.Single(store.Query(new MetricQuery
        {
            Name = "old", Start = Now.AddDays(-9), End = Now, Resolution = MetricResolution.OneDay, Aggregate = MetricAggregate.Count,
        })).Value);
    }

    [Fact]
    public async Task Retention_also_runs_on_its_own_interval()
    {
        using var store = Open();
        store.Writer.Record("old", 1, timestamp: Now.AddDays(-8));
        store.Writer.Flush();
        await store.Writer.EnforceRetentionAsync();
        store.Writer.Record("old", 1, timestamp: Now.AddDays(-8).AddSeconds(1));
        store.Writer.Flush();
        Assert.Single(Keys(store, "samples"));
        time.Advance(TimeSpan.FromMinutes(6));
        store.Writer.Record("new", 1);
        store.Writer.Flush();
        store.Writer.Record("new", 2);
        store.Writer.Flush();
        Assert.Equal(2, Keys(store, "samples").Count);
    }

    [Fact]
    public void A_pass_over_many_series_resumes_each_step_where_the_last_one_stopped()
    {
        const int seriesCount = 300;
        using (var store = Open())
        {
            for (var s = 0; s < seriesCount; s++)
            {
                var series = store.Writer.Series("host.load", MetricType.Gauge, new Dictionary<string, string> { ["host"] = $"h{s}" });
                for (var i = 0; i < 3; i++)
                {
                    series.Record(i, Now.AddDays(-8).AddSeconds(i));
                }
            }
            store.Writer.Flush();
        }
        using var connection = new SqliteConnection($"Data Source={folder.State.MetricsDatabase};Pooling=False");
        connection.Open();
        var statements = 0;
        SQLitePCL.raw.sqlite3_trace(connection.Handle, (SQLitePCL.strdelegate_trace)((_, _) => statements++), null);
        // 900 expired samples, 20 a step: 45 steps. Walking every series again at each step ran
        // about 14,000 statements; resuming runs a pass's worth, about 2,200.
        var enforcer = new RetentionEnforcer(new MetricStoreOptions { RetentionBatchSize = 20 });
        var steps = 0;
        while (!enforcer.Step(connection, Now.ToUnixTimeMilliseconds()).Finished)
        {
            steps++;
        }

        Assert.Equal(45, steps);
        Assert.InRange(statements, 1, 4000);
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM samples";
        Assert.Equal(0L, count.ExecuteScalar());
    }
}
