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
    private static readonly MetricResolution[] Resolutions = MetricResolutions.Labels.Select(MetricResolutions.Parse).ToArray();

    // Where the pass goes on: a step that used up its budget stops there, and the next resumes
    // at the same series instead of walking every series again (which made a pass over many
    // series with much to delete cost series x steps statements).
    private int nextResolution;
    private long nextSeries;

    /// <summary>Runs one step; returns the rows deleted and whether everything due is gone.</summary>
    public (long Deleted, bool Finished) Step(SqliteConnection connection, long nowMs)
    {
        try
        {
            return Continue(connection, nowMs);
        }
        catch
        {
            // The next pass starts over, so that it still reaches every series.
            (nextResolution, nextSeries) = (0, 0);
            throw;
        }
    }

    private (long Deleted, bool Finished) Continue(SqliteConnection connection, long nowMs)
    {
        var budget = (long)options.RetentionBatchSize;
        long deleted = 0;
        using var transaction = connection.BeginTransaction();
        for (; nextResolution < Resolutions.Length; nextResolution++, nextSeries = 0)
        {
            var resolution = Resolutions[nextResolution];
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
            foreach (var id in MetricSchema.SeriesFrom(connection, transaction, nextSeries))
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
                    // Come back to this series: the budget may have cut its expired rows short.
                    nextSeries = id;
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
        (nextResolution, nextSeries) = (0, 0);
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
