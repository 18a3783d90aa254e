using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Moves raw samples older than the head window (<see cref="MetricStoreOptions.HeadWindow"/>
/// behind the store's clock) from the head table <c>samples</c> into compressed chunks, series
/// by series, at most <see cref="MetricStoreOptions.CompactionBatchSize"/> samples per step and
/// each step one transaction, so the writer commits new samples between steps and readers
/// (WAL) always see every sample exactly once. New samples extend the series' newest chunk
/// until it holds <see cref="MetricStoreOptions.ChunkSize"/> samples or <see cref="MetricStoreOptions.ChunkBytes"/> bytes; a late sample is merged into the
/// chunk whose range it falls in (or the next one). After a pass, when a quarter of the file
/// or more is free pages (a burst was compacted), the file is shrunk by incremental vacuum in
/// bounded steps too, if the file was created with it.
/// </summary>
internal sealed class HeadCompactor(MetricStoreOptions options)
{
    private const int VacuumPagesPerStep = 2048;
    private long nextSeries;
    private bool vacuuming;

    /// <summary>Runs one step; returns the samples moved and whether the pass is complete.</summary>
    public (long Moved, bool Finished) Step(SqliteConnection connection, long nowMs)
    {
        if (vacuuming)
        {
            return (0, VacuumStep(connection));
        }
        var cutoff = nowMs - (long)options.HeadWindow.TotalMilliseconds;
        var budget = (long)options.CompactionBatchSize;
        long moved = 0;
        using var transaction = connection.BeginTransaction();
        foreach (var seriesId in MetricSchema.SeriesFrom(connection, transaction, nextSeries))
        {
            var head = OldHead(connection, transaction, seriesId, cutoff, budget - moved);
            if (head.Count > 0)
            {
                Compact(connection, transaction, seriesId, head);
                moved += head.Count;
            }
            // Come back to the same series when the budget cut its head short.
            nextSeries = moved >= budget ? seriesId : seriesId + 1;
            if (moved >= budget)
            {
                transaction.Commit();
                return (moved, false);
            }
        }
        transaction.Commit();
        nextSeries = 0;
        vacuuming = ShouldVacuum(connection);
        return (moved, !vacuuming);
    }

    private static List<(long Timestamp, double Value)> OldHead(SqliteConnection connection, SqliteTransaction transaction, long seriesId, long cutoff, long limit)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT ts, value FROM samples WHERE series_id = $s AND ts < $cutoff ORDER BY ts LIMIT $limit";
        select.Parameters.AddWithValue("$s", seriesId);
        select.Parameters.AddWithValue("$cutoff", cutoff);
        select.Parameters.AddWithValue("$limit", limit);
        using var reader = select.ExecuteReader();
        var samples = new List<(long, double)>();
        while (reader.Read())
        {
            samples.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }
        return samples;
    }

    /// <summary>Moves the oldest head samples of a series (sorted) into chunks, then deletes them from the head.</summary>
    private void Compact(SqliteConnection connection, SqliteTransaction transaction, long seriesId, List<(long Timestamp, double Value)> head)
    {
        var newest = SampleChunks.Select(connection, transaction, seriesId, "1 ORDER BY last_ts DESC LIMIT 1");
        var watermark = newest.Count == 0 ? long.MinValue : newest[0].LastTs;
        var late = head.TakeWhile(s => s.Timestamp < watermark).ToList();
        if (late.Count > 0)
        {
            MergeLate(connection, transaction, seriesId, late);
        }
        var fresh = head.GetRange(late.Count, head.Count - late.Count);
        if (fresh.Count > 0)
        {
            // Extend the newest chunk (read again: merging late samples may have rewritten it) while it has room.
            var tail = SampleChunks.Select(connection, transaction, seriesId, "1 ORDER BY last_ts DESC LIMIT 1");
            if (tail.Count == 1 && tail[0].Count < options.ChunkSize && tail[0].Data.Length < options.ChunkBytes)
            {
                var extended = SampleChunkCodec.Decode(tail[0].Data);
                extended.AddRange(fresh);
                fresh = extended;
                SampleChunks.Delete(connection, transaction, tail[0].Id);
            }
            SampleChunks.Write(connection, transaction, seriesId, fresh, options.ChunkSize, options.ChunkBytes);
        }
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM samples WHERE series_id = $s AND ts <= $last";
        delete.Parameters.AddWithValue("$s", seriesId);
        delete.Parameters.AddWithValue("$last", head[^1].Timestamp);
        delete.ExecuteNonQuery();
    }

    /// <summary>
    /// Merges samples older than the newest chunk's end into the first chunk ending at or after
    /// each of them, which keeps chunks from overlapping (a sample in a gap extends the next chunk down).
    /// </summary>
    private void MergeLate(SqliteConnection connection, SqliteTransaction transaction, long seriesId, List<(long Timestamp, double Value)> late)
    {
        var index = 0;
        while (index < late.Count)
        {
            var target = SampleChunks.Select(connection, transaction, seriesId, "last_ts >= $t ORDER BY last_ts LIMIT 1", ("$t", late[index].Timestamp))[0];
            var first = index;
            while (index < late.Count && late[index].Timestamp <= target.LastTs)
            {
                index++;
            }
            var merged = Merge(SampleChunkCodec.Decode(target.Data), late.GetRange(first, index - first));
            SampleChunks.Delete(connection, transaction, target.Id);
            SampleChunks.Write(connection, transaction, seriesId, merged, options.ChunkSize, options.ChunkBytes, evenly: true);
        }
    }

    /// <summary>
    /// Two sorted lists as one; on a timestamp both hold (only a writer unaware of chunks could
    /// have put it in the head) the compacted sample stays, as a duplicate in the head would.
    /// </summary>
    private static List<(long Timestamp, double Value)> Merge(List<(long Timestamp, double Value)> compacted, List<(long Timestamp, double Value)> late)
    {
        var merged = new List<(long, double)>(compacted.Count + late.Count);
        int c = 0, l = 0;
        while (c < compacted.Count || l < late.Count)
        {
            if (l == late.Count || (c < compacted.Count && compacted[c].Timestamp <= late[l].Timestamp))
            {
                if (l < late.Count && compacted[c].Timestamp == late[l].Timestamp)
                {
                    l++;
                }
                merged.Add(compacted[c++]);
            }
            else
            {
                merged.Add(late[l++]);
            }
        }
        return merged;
    }

    private static bool ShouldVacuum(SqliteConnection connection) =>
        Pragma(connection, "auto_vacuum") == 2 && Pragma(connection, "freelist_count") * 4 >= Pragma(connection, "page_count");

    /// <summary>Returns pages to the file system, a bounded number per step; true when none are left free.</summary>
    private bool VacuumStep(SqliteConnection connection)
    {
        MetricSchema.Execute(connection, $"PRAGMA incremental_vacuum({VacuumPagesPerStep})");
        vacuuming = Pragma(connection, "freelist_count") > 0;
        return !vacuuming;
    }

    private static long Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (long)command.ExecuteScalar()!;
    }
}
