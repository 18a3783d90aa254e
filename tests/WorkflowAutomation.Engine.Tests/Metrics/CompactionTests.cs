using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>Raw samples compacted from the head into chunks read exactly as before, late ones included.</summary>
public sealed class CompactionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(T0.AddHours(3));

    public void Dispose() => folder.Dispose();

    private MetricStore Open(int chunkSize = 100, int compactionBatch = 250) => MetricStore.Open(folder.State,
        new MetricStoreOptions { ChunkSize = chunkSize, CompactionBatchSize = compactionBatch, HeadWindow = TimeSpan.FromHours(1) }, time);

    private static long Scalar(MetricStore store, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static IReadOnlyList<WorkflowMetricSample> Raw(MetricStore store, string name, DateTimeOffset start, DateTimeOffset end, MetricAggregate? aggregate = null) =>
        store.Query(new MetricQuery { Name = name, Start = start, End = end, Resolution = MetricResolution.Raw, Aggregate = aggregate });

    /// <summary>Every kind of answer a user can get, as text that compares bit for bit.</summary>
    private static List<string> Answers(MetricStore store)
    {
        var queries = new List<MetricQuery>();
        foreach (var (start, end) in new[] { (T0, T0.AddHours(3)), (T0.AddMinutes(119).AddSeconds(50), T0.AddMinutes(120).AddSeconds(10)), (T0.AddMinutes(17), T0.AddMinutes(43)) })
        {
            queries.Add(new MetricQuery { Start = start, End = end, Resolution = MetricResolution.Raw });
            foreach (var aggregate in Enum.GetValues<MetricAggregate>())
            {
                queries.Add(new MetricQuery { Start = start, End = end, Resolution = MetricResolution.Raw, Aggregate = aggregate });
                queries.Add(new MetricQuery { Start = start, End = end, Resolution = MetricResolution.OneMinute, Aggregate = aggregate });
            }
        }
        var answers = queries.SelectMany(q => store.Query(q).Select(s => $"{q} -> {s.Name} {s.Timestamp:O} {BitConverter.DoubleToInt64Bits(s.Value):X} {s.Resolution}")).ToList();
        answers.AddRange(store.Reader.ListSeries().Select(s => $"{s.Name} {s.LastTimestamp:O} {s.LastValue}"));
        answers.AddRange(store.Reader.Latest().Select(s => $"{s.Name} {s.Timestamp:O} {s.Value}"));
        return answers;
    }

    [Fact]
    public async Task Compaction_moves_old_samples_into_chunks_and_every_answer_stays_the_same()
    {
        using var store = Open();
        // load 10s for 3 hours: cpu counts up; requests counts up by 2 and resets at sample 700.
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "0+1x1079");
        SeriesLoader.Load(store, "requests", MetricType.Counter, T0, TimeSpan.FromSeconds(10), "0+2x699 0+2x379");
        var before = Answers(store);

        // The clock is at 3 h: everything before 2 h (720 samples a series) leaves the head.
        Assert.Equal(1440, await store.Writer.CompactAsync());
        Assert.Equal(720, Scalar(store, "SELECT count(*) FROM samples"));
        Assert.Equal(1440, Scalar(store, "SELECT sum(count) FROM sample_chunks"));
        Assert.Equal(before, Answers(store));

        // Hand-computed, across the chunk/head boundary at 2 h.
        Assert.Equal(582_660, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(3), MetricAggregate.Sum)).Value);
        Assert.Equal(1080, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(3), MetricAggregate.Count)).Value);
        Assert.Equal(539.5, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(3), MetricAggregate.Avg)).Value);
        Assert.Equal([719.0, 720, 721], Raw(store, "cpu", T0.AddSeconds(7190), T0.AddSeconds(7210)).Select(s => s.Value));
        // Window (110 min, 120 min]: 1322..1398, reset, 0..40 -> increase 116 over 590 s of samples,
        // extrapolated 10 s to the window's start: 116 * 600/590 / 600 per second.
        var rate = Assert.Single(Raw(store, "requests", T0.AddMinutes(110), T0.AddMinutes(120), MetricAggregate.Rate));
        Assert.Equal(116.0 / 590, rate.Value, 12);

        // Later the head empties completely; the newest sample then comes from a chunk.
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(720, await store.Writer.CompactAsync());
        Assert.Equal(0, Scalar(store, "SELECT count(*) FROM samples"));
        Assert.Equal(before, Answers(store));
        var cpu = Assert.Single(store.Reader.Latest("cpu"));
        Assert.Equal((T0.AddSeconds(10_790), 1079.0), (cpu.Timestamp, cpu.Value));
        // Full chunks: 1080 samples in chunks of at most 100.
        Assert.Equal(11, Scalar(store, "SELECT count(*) FROM sample_chunks WHERE series_id = (SELECT id FROM series WHERE name = 'cpu')"));
    }

    [Fact]
    public async Task Chunks_an_earlier_release_wrote_are_read_extended_and_merged_into()
    {
        using var store = Open();
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "0+1x1079");
        await store.Writer.CompactAsync();
        // Rewrite every chunk in the XOR format of earlier releases, as an upgraded metrics.db holds them.
        using (var connection = new SqliteConnection($"Data Source={store.DatabasePath}"))
        {
            connection.Open();
            var chunks = new List<(long Id, byte[] Data)>();
            using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT id, data FROM sample_chunks";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    chunks.Add((reader.GetInt64(0), SampleChunkCodec.EncodeXor(SampleChunkCodec.Decode(reader.GetFieldValue<byte[]>(1)).ToArray())));
                }
            }
            foreach (var (id, data) in chunks)
            {
                using var update = connection.CreateCommand();
                update.CommandText = "UPDATE sample_chunks SET data = $data WHERE id = $id";
                update.Parameters.AddWithValue("$data", data);
                update.Parameters.AddWithValue("$id", id);
                update.ExecuteNonQuery();
            }
        }
        var before = Answers(store);

        // A late sample merges into an old chunk; the head's newest hour extends the newest old chunk.
        store.Writer.Series("cpu").Record(-5, T0.AddMinutes(30).AddSeconds(5));
        store.Writer.Flush();
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(361, await store.Writer.CompactAsync());
        Assert.Equal(0, Scalar(store, "SELECT count(*) FROM samples"));
        Assert.Equal(1081, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(3), MetricAggregate.Count)).Value);
        Assert.Equal([180.0, -5, 181], Raw(store, "cpu", T0.AddMinutes(30), T0.AddMinutes(30).AddSeconds(10)).Select(s => s.Value));
        Assert.Equal(Enumerable.Range(0, 1080).Select(i => (double)i), Raw(store, "cpu", T0, T0.AddHours(3)).Where(s => s.Value != -5).Select(s => s.Value));
        Assert.Equal(before.Where(a => !a.Contains("Raw") && !a.Contains("OneMinute")), Answers(store).Where(a => !a.Contains("Raw") && !a.Contains("OneMinute")));
    }

    [Fact]
    public async Task A_late_sample_inside_a_compacted_range_is_returned_and_a_duplicate_is_ignored()
    {
        using var store = Open();
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "0+1x719");
        await store.Writer.CompactAsync();
        Assert.Equal(0, Scalar(store, "SELECT count(*) FROM samples"));

        var cpu = store.Writer.Series("cpu");
        cpu.Record(999, T0.AddMinutes(30).AddSeconds(5));   // between two compacted samples
        cpu.Record(-1, T0.AddMinutes(30));                   // a compacted timestamp: ignored, as in the head
        store.Writer.Flush();

        Assert.Equal(1, store.Writer.Duplicates);
        var window = (T0.AddMinutes(30), T0.AddMinutes(30).AddSeconds(10));
        Assert.Equal([180.0, 999, 181], Raw(store, "cpu", window.Item1, window.Item2).Select(s => s.Value));
        Assert.Equal(7, Assert.Single(store.Query(new MetricQuery
        {
            Name = "cpu", Start = T0.AddMinutes(30), End = T0.AddMinutes(30).AddSeconds(59), Resolution = MetricResolution.OneMinute, Aggregate = MetricAggregate.Count,
        })).Value);
        Assert.Equal(721, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(2), MetricAggregate.Count)).Value);

        // Compacted again, the late sample joins the chunk it falls in; nothing changes for readers.
        var chunks = Scalar(store, "SELECT count(*) FROM sample_chunks");
        Assert.Equal(1, await store.Writer.CompactAsync());
        Assert.Equal([180.0, 999, 181], Raw(store, "cpu", window.Item1, window.Item2).Select(s => s.Value));
        Assert.Equal(721, Assert.Single(Raw(store, "cpu", T0, T0.AddHours(2), MetricAggregate.Count)).Value);
        Assert.InRange(Scalar(store, "SELECT count(*) FROM sample_chunks"), chunks, chunks + 1);
        Assert.Equal(0, Scalar(store, "SELECT count(*) FROM sample_chunks a JOIN sample_chunks b ON a.series_id = b.series_id AND a.id < b.id " +
            "AND a.first_ts <= b.last_ts AND b.first_ts <= a.last_ts"));
        cpu.Record(-1, T0.AddMinutes(30).AddSeconds(5));
        store.Writer.Flush();
        Assert.Equal(2, store.Writer.Duplicates);
        Assert.Equal(999, Raw(store, "cpu", window.Item1, window.Item2)[1].Value);
    }

    [Fact]
    public async Task Readers_during_compaction_see_every_sample_exactly_once()
    {
        using var store = Open(chunkSize: 64, compactionBatch: 64);
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(1), "1+0x5999");
        SeriesLoader.Load(store, "requests", MetricType.Counter, T0, TimeSpan.FromSeconds(1), "0+1x5999");
        var compaction = store.Writer.CompactAsync();
        var answers = new List<(double Count, double Sum, double Newest)>();
        do
        {
            var count = Assert.Single(Raw(store, "cpu", T0, T0.AddHours(2), MetricAggregate.Count)).Value;
            var sum = Assert.Single(Raw(store, "cpu", T0, T0.AddHours(2), MetricAggregate.Sum)).Value;
            answers.Add((count, sum, Assert.Single(store.Reader.Latest("requests")).Value));
        }
        while (!compaction.IsCompleted);
        Assert.Equal(12_000, await compaction);
        Assert.All(answers, a => Assert.Equal((6000.0, 6000.0, 5999.0), a));
    }

    [Fact]
    public void Compaction_also_runs_on_the_maintenance_interval()
    {
        using var store = Open();
        SeriesLoader.Load(store, "cpu", MetricType.Gauge, T0, TimeSpan.FromSeconds(10), "0+1x719");
        time.Advance(TimeSpan.FromMinutes(6));
        store.Writer.Record("cpu", 1000);   // the first batch after the interval starts maintenance
        store.Writer.Flush();

        // Maintenance runs in steps on the writer thread once the queue is empty.
        Assert.True(SpinWait.SpinUntil(() => Scalar(store, "SELECT count(*) FROM samples") == 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(720, Scalar(store, "SELECT sum(count) FROM sample_chunks"));
        Assert.Equal(721, Assert.Single(Raw(store, "cpu", T0, time.GetUtcNow(), MetricAggregate.Count)).Value);
    }

    [Fact]
    public async Task Retention_cuts_exactly_at_the_boundary_inside_a_chunk()
    {
        using var store = Open(chunkSize: 1000);
        var now = time.GetUtcNow();
        var cutoff = now.AddDays(-7);
        // One sample a minute from 30 minutes before the cutoff to 30 after: one chunk straddles it.
        SeriesLoader.Load(store, "disk", MetricType.Gauge, cutoff.AddMinutes(-30), TimeSpan.FromMinutes(1), "0+1x60");
        SeriesLoader.Load(store, "gone", MetricType.Gauge, now.AddDays(-9), TimeSpan.FromMinutes(1), "0+1x99");
        Assert.Equal(161, await store.Writer.CompactAsync());
        Assert.Equal(0, Scalar(store, "SELECT count(*) FROM samples"));

        Assert.Equal(130, await store.Writer.EnforceRetentionAsync());

        var kept = Raw(store, "disk", now.AddDays(-8), now);
        Assert.Equal(31, kept.Count);
        Assert.Equal(cutoff, kept[0].Timestamp);   // the sample exactly 7 days old stays
        Assert.Equal(30, kept[0].Value);
        Assert.Empty(Raw(store, "gone", now.AddDays(-10), now));
        Assert.Equal(31, Scalar(store, "SELECT sum(count) FROM sample_chunks"));
        // Rollups keep their own, longer retention.
        Assert.Equal(100, Assert.Single(store.Query(new MetricQuery
        {
            Name = "gone", Start = now.AddDays(-10), End = now, Resolution = MetricResolution.OneDay, Aggregate = MetricAggregate.Count,
        })).Value);
    }

    [Fact]
    public async Task Concurrent_writers_while_compaction_runs_lose_nothing()
    {
        const int Writers = 4, PerWriter = 5000;
        using var store = Open(chunkSize: 64, compactionBatch: 500);
        var writers = Task.Run(() => System.Threading.Tasks.Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
        {
            var own = store.Writer.Series("writer.gauge", MetricType.Gauge, new Dictionary<string, string> { ["writer"] = w.ToString() });
            var shared = store.Writer.Series("shared");
            for (var i = 0; i < PerWriter; i++)
            {
                // Two seconds apart over 2.8 hours (most older than the head window); odd writers go
                // backwards in time, so their samples keep landing inside compacted ranges.
                var tick = w % 2 == 0 ? i : PerWriter - 1 - i;
                own.Record(tick, T0.AddSeconds(2 * tick));
                shared.Record(1, T0.AddSeconds(2 * tick).AddMilliseconds(w));
                if (i % 500 == 0)
                {
                    store.Writer.Flush();
                }
            }
        }));
        long moved = 0;
        while (!writers.IsCompleted)
        {
            moved += await store.Writer.CompactAsync();
        }
        await writers;
        store.Writer.Flush();
        moved += await store.Writer.CompactAsync();

        Assert.Null(store.Writer.LastError);
        Assert.Equal(0, store.Writer.Duplicates);
        Assert.Equal(2 * Writers * PerWriter, store.Writer.Committed);
        Assert.True(moved > 0);
        var all = Raw(store, "*", T0, T0.AddHours(3));
        Assert.Equal(2 * Writers * PerWriter, all.Count);
        for (var w = 0; w < Writers; w++)
        {
            var own = all.Where(s => s.Tags == $"writer={w}").ToList();
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => (double)i), own.Select(s => s.Value));
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => T0.AddSeconds(2 * i)), own.Select(s => s.Timestamp));
        }
        Assert.Equal(Writers * PerWriter, Assert.Single(Raw(store, "shared", T0, T0.AddHours(3), MetricAggregate.Sum)).Value);
        Assert.Equal(2 * Writers * PerWriter, Scalar(store, "SELECT sum(count) FROM rollup_1d"));
    }

    [Fact]
    public async Task Chunks_fill_to_the_byte_limit_whatever_the_data_so_pages_are_not_left_part_empty()
    {
        var options = new MetricStoreOptions { HeadWindow = TimeSpan.FromHours(1) };
        using var store = MetricStore.Open(folder.State, options, time);
        var noisy = store.Writer.Series("noisy", MetricType.Gauge);
        var smooth = store.Writer.Series("smooth", MetricType.Gauge);
        for (var i = 0; i < 4000; i++)
        {
            noisy.Record(50 + (40 * Math.Sin(i / 97.0)) + (i % 7 * 0.013), T0.AddSeconds(i));
            smooth.Record(i < 2000 ? 42 : 43, T0.AddSeconds(i));
        }
        store.Writer.Flush();
        Assert.Equal(8000, await store.Writer.CompactAsync());

        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        // Every chunk but a series' newest (which later samples extend) is full: by bytes for the
        // noisy gauge (a few bytes a sample), by count for the steady one (a bit or two a sample).
        command.CommandText = "SELECT s.name, c.count, length(c.data) FROM sample_chunks c JOIN series s ON s.id = c.series_id " +
            "WHERE c.last_ts < (SELECT max(last_ts) FROM sample_chunks WHERE series_id = c.series_id)";
        using var reader = command.ExecuteReader();
        var full = new List<(string Name, long Count, long Bytes)>();
        while (reader.Read())
        {
            full.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        Assert.Contains(full, c => c.Name == "noisy");
        Assert.All(full.Where(c => c.Name == "noisy"), c => Assert.InRange(c.Bytes, options.ChunkBytes * 0.95, options.ChunkBytes));
        Assert.All(full.Where(c => c.Name == "smooth"), c => Assert.Equal(options.ChunkSize, c.Count));
        foreach (var name in new[] { "noisy", "smooth" })
        {
            Assert.Equal(4000, Assert.Single(Raw(store, name, T0, T0.AddHours(2), MetricAggregate.Count)).Value);
        }
        Assert.Equal([50 + (40 * Math.Sin(1234 / 97.0)) + (1234 % 7 * 0.013)], Raw(store, "noisy", T0.AddSeconds(1234), T0.AddSeconds(1234)).Select(s => s.Value));
    }

    [Fact]
    public async Task A_compacted_burst_gives_its_disk_space_back()
    {
        using var store = Open(chunkSize: 1024, compactionBatch: 10_000);
        for (var s = 0; s < 10; s++)
        {
            var series = store.Writer.Series("burst", MetricType.Gauge, new Dictionary<string, string> { ["n"] = s.ToString() });
            for (var i = 0; i < 6000; i++)
            {
                series.Record(Math.Sin(i / 50.0) * 100, T0.AddSeconds(i));
            }
        }
        store.Writer.Flush();
        long FileBytes()
        {
            Scalar(store, "PRAGMA wal_checkpoint(TRUNCATE)");
            return new FileInfo(store.DatabasePath).Length;
        }
        var burst = FileBytes();
        Assert.Equal(60_000, await store.Writer.CompactAsync());
        var compacted = FileBytes();
        Assert.True(compacted < burst / 2, $"{burst} bytes before compaction, {compacted} after");
        Assert.All(Raw(store, "burst", T0, T0.AddHours(2), MetricAggregate.Count), s => Assert.Equal(6000, s.Value));
    }

    [Fact]
    public async Task In_steady_state_the_file_stops_growing()
    {
        // Eight hours at one sample a second, compacted and expired every five minutes as the
        // writer does on its own; retention short enough that the store reaches its steady size.
        using var store = MetricStore.Open(folder.State, new MetricStoreOptions
        {
            RawRetention = TimeSpan.FromHours(2), RollupRetention = TimeSpan.FromHours(2), DailyRetention = TimeSpan.FromHours(2),
        }, time);
        var series = Enumerable.Range(0, 5).Select(n => store.Writer.Series("steady", MetricType.Gauge, new Dictionary<string, string> { ["n"] = n.ToString() })).ToList();
        var sizes = new List<long>();
        for (var cycle = 0; cycle < 8 * 12; cycle++)
        {
            var from = time.GetUtcNow();
            for (var second = 0; second < 300; second++)
            {
                foreach (var s in series)
                {
                    s.Record(Math.Round(Math.Sin(second / 30.0) * 1000) / 10, from.AddSeconds(second));
                }
            }
            time.Advance(TimeSpan.FromMinutes(5));
            store.Writer.Flush();
            await store.Writer.EnforceRetentionAsync();
            await store.Writer.CompactAsync();
            sizes.Add(Scalar(store, "PRAGMA page_count"));
        }

        var afterFourHours = sizes[(4 * 12) - 1];
        Assert.True(sizes.Skip(4 * 12).All(pages => pages <= afterFourHours * 1.1), $"pages per cycle: {string.Join(' ', sizes)}");
        Assert.Equal(5 * 2 * 3600, Assert.Single(store.Query(new MetricQuery
        {
            Name = "steady", Tags = new Dictionary<string, string> { ["n"] = "0" }, Start = time.GetUtcNow().AddHours(-2), End = time.GetUtcNow(),
            Resolution = MetricResolution.Raw, Aggregate = MetricAggregate.Count,
        })).Value * 5);
    }

    [Fact]
    public async Task A_metrics_db_from_before_chunks_is_read_and_then_compacted()
    {
        var path = folder.State.MetricsDatabase;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "PRAGMA journal_mode=WAL; " +
                "CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tags TEXT NOT NULL, type INTEGER NOT NULL, UNIQUE (name, tags)); " +
                "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID; " +
                $"INSERT INTO series VALUES (1, 'old.gauge', '', 0); INSERT INTO samples VALUES (1, {T0.ToUnixTimeMilliseconds()}, 4.5), (1, {T0.AddSeconds(1).ToUnixTimeMilliseconds()}, 5.5);";
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // A reader alone (no store has opened the file yet) sees the samples.
        var reader = new MetricReader(path, time: time);
        Assert.Equal([4.5, 5.5], reader.Query(new MetricQuery { Name = "old.gauge", Start = T0, End = T0.AddMinutes(1) }).Select(s => s.Value));

        using var store = MetricStore.Open(folder.State, time: time);
        Assert.Equal(2, await store.Writer.CompactAsync());
        Assert.Equal([4.5, 5.5], Raw(store, "old.gauge", T0, T0.AddMinutes(1)).Select(s => s.Value));
        Assert.Equal(5.5, Assert.Single(store.Reader.Latest("old.gauge")).Value);
    }
}
