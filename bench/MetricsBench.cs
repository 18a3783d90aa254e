// Compiled by bench/metrics.ps1 with Add-Type. The raw limit uses Microsoft.Data.Sqlite through
// the ADO.NET base classes (the provider instance comes from the module's own load context);
// the store side calls the engine's public API exactly as the daemon does.
using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using WorkflowAutomation.Metrics;

/// <summary>The store's clock, set by the benchmark (the store reads "now" only through it).</summary>
public sealed class BenchClock : TimeProvider
{
    public BenchClock(DateTimeOffset now) => Now = now;

    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

public static class MetricsBench
{
    /// <summary>The same samples for both sides: seriesCount series, one sample a second each, written tick by tick.</summary>
    public static double Value(int series, int tick) => 50 + (40 * Math.Sin((tick + (series * 37)) / 97.0)) + ((tick % 7) * 0.013);

    public static double RawInsert(DbConnection connection, int seriesCount, int ticks, long startMs)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " +
                "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID";
            create.ExecuteNonQuery();
        }
        var watch = Stopwatch.StartNew();
        using (var transaction = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO samples (series_id, ts, value) VALUES ($s, $t, $v)";
            var s = insert.CreateParameter(); s.ParameterName = "$s"; insert.Parameters.Add(s);
            var t = insert.CreateParameter(); t.ParameterName = "$t"; insert.Parameters.Add(t);
            var v = insert.CreateParameter(); v.ParameterName = "$v"; insert.Parameters.Add(v);
            insert.Prepare();
            for (var tick = 0; tick < ticks; tick++)
            {
                for (var series = 1; series <= seriesCount; series++)
                {
                    s.Value = (long)series;
                    t.Value = startMs + (tick * 1000L);
                    v.Value = Value(series, tick);
                    insert.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }
        return watch.Elapsed.TotalSeconds;
    }

    public static double StoreIngest(MetricStore store, int seriesCount, int ticks, long startMs)
    {
        var handles = new List<MetricSeries>();
        for (var series = 1; series <= seriesCount; series++)
        {
            handles.Add(store.Writer.Series("bench.series." + series.ToString("000"), MetricType.Gauge, null));
        }
        var watch = Stopwatch.StartNew();
        for (var tick = 0; tick < ticks; tick++)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(startMs + (tick * 1000L));
            for (var series = 1; series <= seriesCount; series++)
            {
                handles[series - 1].Record(Value(series, tick), at);
            }
        }
        store.Writer.Flush();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds to compact what the store's policy compacts now, and the samples moved.</summary>
    public static double[] Compact(MetricStore store)
    {
        var watch = Stopwatch.StartNew();
        var moved = store.Writer.CompactAsync().GetAwaiter().GetResult();
        return new[] { watch.Elapsed.TotalSeconds, moved };
    }

    /// <summary>Median milliseconds of a query run repeatedly (after one warm-up), and the rows it returned.</summary>
    public static double[] Median(Func<int> query, int runs)
    {
        var rows = query();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            rows = query();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return new[] { times[runs / 2], rows };
    }

    /// <summary>Runs two queries alternately (so both see the same machine load); median ms of each and their rows.</summary>
    public static double[] PairedMedian(Func<int> first, Func<int> second, int runs)
    {
        int firstRows = first(), secondRows = second();
        var a = new double[runs];
        var b = new double[runs];
        // Start from a clean heap (ingest left garbage behind) and alternate which query goes
        // first, so that neither side systematically pays for the other's collections.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        for (var i = 0; i < runs; i++)
        {
            var watch = new Stopwatch();
            if (i % 2 == 0)
            {
                watch.Restart(); firstRows = first(); a[i] = watch.Elapsed.TotalMilliseconds;
                watch.Restart(); secondRows = second(); b[i] = watch.Elapsed.TotalMilliseconds;
            }
            else
            {
                watch.Restart(); secondRows = second(); b[i] = watch.Elapsed.TotalMilliseconds;
                watch.Restart(); firstRows = first(); a[i] = watch.Elapsed.TotalMilliseconds;
            }
        }
        Array.Sort(a);
        Array.Sort(b);
        return new[] { a[runs / 2], firstRows, b[runs / 2], secondRows };
    }

    public static Func<int> StoreQueryOf(MetricReader reader, string name, DateTimeOffset start, DateTimeOffset end, MetricResolution resolution) =>
        () => reader.Query(new MetricQuery { Name = name, Start = start, End = end, Resolution = resolution }).Count;

    public static double[] StoreQuery(MetricReader reader, string name, DateTimeOffset start, DateTimeOffset end, MetricResolution resolution, int runs) =>
        Median(() => reader.Query(new MetricQuery { Name = name, Start = start, End = end, Resolution = resolution }).Count, runs);

    public static double[] RawQuery(DbConnection connection, long series, long startMs, long endMs, int runs) =>
        Median(RawQueryOf(connection, series, startMs, endMs), runs);

    public static Func<int> RawQueryOf(DbConnection connection, long series, long startMs, long endMs) =>
        () =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT ts, value FROM samples WHERE series_id = $s AND ts >= $a AND ts <= $b ORDER BY ts";
            AddParameter(command, "$s", series);
            AddParameter(command, "$a", startMs);
            AddParameter(command, "$b", endMs);
            using var reader = command.ExecuteReader();
            var rows = 0;
            while (reader.Read())
            {
                _ = reader.GetInt64(0);
                _ = reader.GetDouble(1);
                rows++;
            }
            return rows;
        };

    public static object Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void AddParameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
