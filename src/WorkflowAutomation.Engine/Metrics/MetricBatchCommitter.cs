using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Writes one batch in one transaction: series rows for new series, samples (a duplicate
/// timestamp of a series is ignored, whether in the head or already compacted into a chunk, so
/// the rollups count exactly the stored samples), the
/// folded rollup upserts, and ingestion keys. Used only by the writer thread.
/// </summary>
internal sealed class MetricBatchCommitter : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly SqliteCommand insertSample;
    private readonly SqliteParameter sampleSeries, sampleTimestamp, sampleValue;
    private readonly SqliteCommand insertSeries;
    private readonly SqliteCommand insertIngested;
    private readonly SqliteCommand[] upsertRollup;
    private readonly RollupAccumulator rollups = new();
    private readonly List<MetricSeries> newSeries = [];
    private readonly SqliteCommand chunkWatermark;
    private readonly SqliteCommand chunkHolding;
    private readonly Dictionary<long, long> watermarks = [];
    private readonly List<(long, double)> found = [];
    private SqliteTransaction? transaction;

    public MetricBatchCommitter(SqliteConnection connection)
    {
        this.connection = connection;
        insertSample = Command("INSERT INTO samples (series_id, ts, value) VALUES ($s, $t, $v) ON CONFLICT DO NOTHING");
        sampleSeries = insertSample.Parameters["$s"];
        sampleTimestamp = insertSample.Parameters["$t"];
        sampleValue = insertSample.Parameters["$v"];
        insertSeries = Command("INSERT INTO series (name, tags, type) VALUES ($name, $tags, $type) " +
            "ON CONFLICT (name, tags) DO UPDATE SET name = excluded.name RETURNING id");
        chunkWatermark = Command("SELECT coalesce(max(last_ts), -9223372036854775808) FROM sample_chunks WHERE series_id = $s");
        chunkHolding = Command("SELECT data FROM sample_chunks WHERE series_id = $s AND last_ts >= $t AND first_ts <= $t");
        insertIngested = Command("INSERT INTO inbox_files (key, ingested_at) VALUES ($key, $at) ON CONFLICT DO NOTHING");
        upsertRollup = MetricResolutions.Rollups.Select(r => Command(
            $"INSERT INTO {r.Table()} (series_id, bucket, min, max, sum, count, last, last_ts) " +
            "VALUES ($s, $b, $min, $max, $sum, $count, $last, $lastTs) ON CONFLICT (series_id, bucket) DO UPDATE SET " +
            "min = min(min, excluded.min), max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count, " +
            "last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END, last_ts = max(last_ts, excluded.last_ts)")).ToArray();
    }

    /// <summary>Samples stored by the current batch.</summary>
    public long Inserted { get; private set; }

    /// <summary>Samples of the current batch ignored because their series already had that timestamp.</summary>
    public long Duplicates { get; private set; }

    public void Begin()
    {
        transaction = connection.BeginTransaction();
        foreach (var command in All())
        {
            command.Transaction = transaction;
        }
        Inserted = 0;
        Duplicates = 0;
        // Read afresh in each transaction, which holds the write lock: another process may have compacted.
        watermarks.Clear();
    }

    public void Add(in WriteItem item)
    {
        var series = item.Series!;
        if (series.Id == 0)
        {
            Resolve(series);
        }
        if (item.Timestamp <= Watermark(series.Id) && IsCompacted(series.Id, item.Timestamp))
        {
            Duplicates++;
            return;
        }
        sampleSeries.Value = series.Id;
        sampleTimestamp.Value = item.Timestamp;
        sampleValue.Value = item.Value;
        if (insertSample.ExecuteNonQuery() == 1)
        {
            rollups.Add(series.Id, item.Timestamp, item.Value);
            Inserted++;
        }
        else
        {
            Duplicates++;
        }
    }

    /// <summary>Adds a whole batch unless its ingestion key was committed before; returns whether it was added.</summary>
    public bool AddBatch(BatchRequest batch, long nowMs)
    {
        if (batch.IngestionKey is not null)
        {
            insertIngested.Parameters["$key"].Value = batch.IngestionKey;
            insertIngested.Parameters["$at"].Value = nowMs;
            if (insertIngested.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }
        foreach (var item in batch.Samples)
        {
            Add(item);
        }
        return true;
    }

    public void Commit()
    {
        for (var i = 0; i < upsertRollup.Length; i++)
        {
            var command = upsertRollup[i];
            foreach (var ((series, bucket), cell) in rollups.Cells[i])
            {
                command.Parameters["$s"].Value = series;
                command.Parameters["$b"].Value = bucket;
                command.Parameters["$min"].Value = cell.Min;
                command.Parameters["$max"].Value = cell.Max;
                command.Parameters["$sum"].Value = cell.Sum;
                command.Parameters["$count"].Value = cell.Count;
                command.Parameters["$last"].Value = cell.Last;
                command.Parameters["$lastTs"].Value = cell.LastTimestamp;
                command.ExecuteNonQuery();
            }
        }
        transaction!.Commit();
        End();
    }

    /// <summary>Undoes the batch; series created in it are looked up again next time.</summary>
    public void Rollback()
    {
        try
        {
            transaction?.Rollback();
        }
        catch (SqliteException)
        {
            // The connection may already have rolled back on its own (a full disk does that).
        }
        foreach (var series in newSeries)
        {
            series.Id = 0;
        }
        End();
    }

    public void Dispose()
    {
        transaction?.Dispose();
        foreach (var command in All())
        {
            command.Dispose();
        }
    }

    private void End()
    {
        transaction?.Dispose();
        transaction = null;
        rollups.Clear();
        newSeries.Clear();
    }

    /// <summary>The newest compacted timestamp of a series (long.MinValue when none), once per batch.</summary>
    private long Watermark(long seriesId)
    {
        if (!watermarks.TryGetValue(seriesId, out var watermark))
        {
            chunkWatermark.Parameters["$s"].Value = seriesId;
            watermark = (long)chunkWatermark.ExecuteScalar()!;
            watermarks[seriesId] = watermark;
        }
        return watermark;
    }

    /// <summary>Whether a chunk of the series holds a sample at this timestamp (only asked for late samples).</summary>
    private bool IsCompacted(long seriesId, long timestamp)
    {
        chunkHolding.Parameters["$s"].Value = seriesId;
        chunkHolding.Parameters["$t"].Value = timestamp;
        found.Clear();
        using var reader = chunkHolding.ExecuteReader();
        while (reader.Read())
        {
            SampleChunkCodec.Decode(reader.GetFieldValue<byte[]>(0), found, timestamp, timestamp);
        }
        return found.Count > 0;
    }

    private void Resolve(MetricSeries series)
    {
        insertSeries.Parameters["$name"].Value = series.Name;
        insertSeries.Parameters["$tags"].Value = series.Tags;
        insertSeries.Parameters["$type"].Value = (int)series.Type;
        series.Id = (long)insertSeries.ExecuteScalar()!;
        newSeries.Add(series);
    }

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"\$\w+").Select(m => m.Value).Distinct())
        {
            if (!command.Parameters.Contains(name))
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }
        return command;
    }

    private IEnumerable<SqliteCommand> All() => [insertSample, insertSeries, insertIngested, chunkWatermark, chunkHolding, .. upsertRollup];
}
