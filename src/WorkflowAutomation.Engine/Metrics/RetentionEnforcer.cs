using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Deletes what has outlived its resolution's retention, a few thousand rows per step, so
/// the writer thread commits new samples between steps and readers (WAL) never wait.
/// Raw samples go when older than the raw retention, from the head and from the compacted
/// chunks (a chunk straddling the cutoff is re-encoded without the expired samples, so every
/// read sees the cut exactly where it is); a rollup bucket goes when it ends at or before its
/// retention's cutoff.
/// </summary>
internal sealed class RetentionEnforcer(MetricStoreOptions options)
{
    /// <summary>Runs one step; returns the rows deleted and whether everything due is gone.</summary>
    public (long Deleted, bool Finished) Step(SqliteConnection connection, long nowMs)
    {
        var budget = (long)options.RetentionBatchSize;
        var seriesIds = new List<long>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT id FROM series ORDER BY id";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                seriesIds.Add(reader.GetInt64(0));
            }
        }
        long deleted = 0;
        using var transaction = connection.BeginTransaction();
        foreach (var resolution in MetricResolutions.Labels.Select(MetricResolutions.Parse))
        {
            var column = resolution == MetricResolution.Raw ? "ts" : "bucket";
            // Delete rows whose key is below the cutoff, but at most 'limit' of them: the bound is
            // the key of the (limit+1)-th oldest row when there is one.
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = $"DELETE FROM {resolution.Table()} WHERE series_id = $s AND {column} < min($cutoff, " +
                $"coalesce((SELECT {column} FROM {resolution.Table()} WHERE series_id = $s ORDER BY {column} LIMIT 1 OFFSET $limit), $cutoff))";
            var series = delete.Parameters.Add("$s", SqliteType.Integer);
            var limit = delete.Parameters.Add("$limit", SqliteType.Integer);
            var cutoff = Cutoff(resolution, nowMs);
            delete.Parameters.AddWithValue("$cutoff", cutoff);
            foreach (var id in seriesIds)
            {
                series.Value = id;
                limit.Value = budget - deleted;
                deleted += delete.ExecuteNonQuery();
                if (resolution == MetricResolution.Raw && deleted < budget)
                {
                    deleted += SampleChunks.Expire(connection, transaction, id, cutoff, budget - deleted, options.ChunkSize, options.ChunkBytes);
                }
                if (deleted >= budget)
                {
                    transaction.Commit();
                    return (deleted, false);
                }
            }
        }
        using (var inbox = connection.CreateCommand())
        {
            inbox.Transaction = transaction;
            inbox.CommandText = "DELETE FROM inbox_files WHERE ingested_at < $cutoff";
            inbox.Parameters.AddWithValue("$cutoff", nowMs - (long)options.RawRetention.TotalMilliseconds);
            inbox.ExecuteNonQuery();
        }
        transaction.Commit();
        return (deleted, true);
    }

    /// <summary>Keys (timestamps or bucket starts) below this value are past retention.</summary>
    public long Cutoff(MetricResolution resolution, long nowMs)
    {
        var cutoff = nowMs - (long)options.RetentionOf(resolution).TotalMilliseconds;
        // A bucket [start, start + size) is kept while any part of it is within retention.
        return resolution == MetricResolution.Raw ? cutoff : cutoff - resolution.BucketMilliseconds() + 1;
    }
}
