using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.Metrics;

/// <summary>One row of sample_chunks: a series' samples from FirstTs to LastTs, compressed.</summary>
internal readonly record struct SampleChunk(long Id, long FirstTs, long LastTs, int Count, byte[] Data);

/// <summary>
/// The compacted raw samples in table <c>sample_chunks</c> (see <see cref="SampleChunkCodec"/>).
/// Chunks of one series never overlap in time and never hold a timestamp the head
/// (<c>samples</c>) holds: the writer refuses such a duplicate, and compaction merges a late
/// sample into the chunk whose range it falls in.
/// </summary>
internal static class SampleChunks
{
    /// <summary>Whether the table exists (a metrics.db created before chunks has none until a store opens it).</summary>
    public static bool Exist(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sample_chunks'";
        return (long)command.ExecuteScalar()! > 0;
    }

    /// <summary>Appends the samples with from &lt;= ts &lt;= until of every chunk overlapping that range, oldest chunk first.</summary>
    public static void Read(SqliteTransaction snapshot, long seriesId, long from, long until, List<(long Timestamp, double Value)> into)
    {
        using var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "SELECT data FROM sample_chunks WHERE series_id = $s AND last_ts >= $from AND first_ts <= $until ORDER BY last_ts";
        command.Parameters.AddWithValue("$s", seriesId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$until", until);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            SampleChunkCodec.Decode(reader.GetFieldValue<byte[]>(0), into, from, until);
        }
    }

    /// <summary>The newest compacted sample of a series, if any.</summary>
    public static (long Timestamp, double Value)? Newest(SqliteTransaction snapshot, long seriesId)
    {
        using var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "SELECT last_ts, data FROM sample_chunks WHERE series_id = $s ORDER BY last_ts DESC LIMIT 1";
        command.Parameters.AddWithValue("$s", seriesId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var newest = new List<(long, double)>(1);
        SampleChunkCodec.Decode(reader.GetFieldValue<byte[]>(1), newest, from: reader.GetInt64(0));
        return newest[^1];
    }

    /// <summary>Chunks of a series selected by <paramref name="where"/> (over first_ts, last_ts, $s and the given parameters).</summary>
    public static List<SampleChunk> Select(SqliteConnection connection, SqliteTransaction transaction, long seriesId, string where,
        params (string Name, long Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT id, first_ts, last_ts, count, data FROM sample_chunks WHERE series_id = $s AND {where}";
        command.Parameters.AddWithValue("$s", seriesId);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        using var reader = command.ExecuteReader();
        var chunks = new List<SampleChunk>();
        while (reader.Read())
        {
            chunks.Add(new SampleChunk(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4)));
        }
        return chunks;
    }

    /// <summary>
    /// Stores samples (sorted, distinct timestamps) as chunks of at most <paramref name="chunkSize"/>
    /// samples and, past one sample, at most <paramref name="chunkBytes"/> encoded bytes: full chunks
    /// and the remainder last (the series' newest chunk, which later samples extend), or,
    /// <paramref name="evenly"/>, of equal size (a chunk in the middle, which rarely grows).
    /// </summary>
    public static void Write(SqliteConnection connection, SqliteTransaction transaction, long seriesId,
        List<(long Timestamp, double Value)> samples, int chunkSize, int chunkBytes, bool evenly = false)
    {
        if (samples.Count == 0)
        {
            return;
        }
        chunkSize = Math.Max(1, chunkSize);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO sample_chunks (series_id, first_ts, last_ts, count, data) VALUES ($s, $first, $last, $count, $data)";
        insert.Parameters.AddWithValue("$s", seriesId);
        var first = insert.Parameters.Add("$first", SqliteType.Integer);
        var last = insert.Parameters.Add("$last", SqliteType.Integer);
        var count = insert.Parameters.Add("$count", SqliteType.Integer);
        var data = insert.Parameters.Add("$data", SqliteType.Blob);
        void Insert(ReadOnlySpan<(long Timestamp, double Value)> slice, byte[] encoded)
        {
            first.Value = slice[0].Timestamp;
            last.Value = slice[^1].Timestamp;
            count.Value = slice.Length;
            data.Value = encoded;
            insert.ExecuteNonQuery();
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples);
        if (evenly)
        {
            // Pieces of equal length, as many as the count and the byte limit ask for.
            var whole = SampleChunkCodec.Encode(span);
            var pieces = Math.Max((samples.Count + chunkSize - 1) / chunkSize, (whole.Length + chunkBytes - 1) / Math.Max(1, chunkBytes));
            pieces = Math.Clamp(pieces, 1, samples.Count);
            if (pieces == 1)
            {
                Insert(span, whole);
                return;
            }
            for (var piece = 0; piece < pieces; piece++)
            {
                var slice = span[(int)((long)samples.Count * piece / pieces)..(int)((long)samples.Count * (piece + 1) / pieces)];
                Insert(slice, SampleChunkCodec.Encode(slice));
            }
            return;
        }
        var estimate = chunkSize;
        for (var start = 0; start < samples.Count;)
        {
            var (length, encoded) = LongestFitting(span[start..], chunkSize, chunkBytes, ref estimate);
            Insert(span.Slice(start, length), encoded);
            start += length;
        }
    }

    /// <summary>
    /// The longest prefix (up to <paramref name="chunkSize"/> samples) that encodes in at most
    /// <paramref name="chunkBytes"/>, found in a few encodes by scaling from the bytes a sample
    /// took so far (<paramref name="estimate"/> carries the guess to the next chunk).
    /// </summary>
    private static (int Length, byte[] Encoded) LongestFitting(ReadOnlySpan<(long Timestamp, double Value)> samples, int chunkSize, int chunkBytes,
        ref int estimate)
    {
        var most = Math.Min(samples.Length, chunkSize);
        var length = Math.Clamp(estimate, 1, most);
        var best = (Length: 0, Encoded: Array.Empty<byte>());
        var tooLong = int.MaxValue;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var encoded = SampleChunkCodec.Encode(samples[..length]);
            if (encoded.Length <= chunkBytes || length == 1)
            {
                if (length > best.Length)
                {
                    best = (length, encoded);
                }
                if (length == most || encoded.Length >= chunkBytes * 0.98)
                {
                    break;
                }
            }
            else
            {
                tooLong = Math.Min(tooLong, length);
            }
            // Scale by the bytes a sample took, staying between what fits and what did not.
            var next = (int)((long)length * chunkBytes / Math.Max(1, encoded.Length));
            next = Math.Clamp(next, best.Length + 1, Math.Min(most, tooLong - 1));
            if (next <= best.Length || next == length)
            {
                break;
            }
            length = next;
        }
        if (best.Length == 0)
        {
            best = (1, SampleChunkCodec.Encode(samples[..1]));
        }
        estimate = best.Length;
        return best;
    }

    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, long chunkId)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM sample_chunks WHERE id = $id";
        delete.Parameters.AddWithValue("$id", chunkId);
        delete.ExecuteNonQuery();
    }

    /// <summary>
    /// Removes the samples of a series older than <paramref name="cutoff"/>: chunks wholly older
    /// go, a chunk straddling the cutoff is re-encoded without them. Stops once at least
    /// <paramref name="allowance"/> samples are gone; returns how many went.
    /// </summary>
    public static long Expire(SqliteConnection connection, SqliteTransaction transaction, long seriesId, long cutoff, long allowance, int chunkSize, int chunkBytes)
    {
        long removed = 0;
        var limit = Math.Max(1, allowance / Math.Max(1, chunkSize));
        while (removed < allowance)
        {
            // Every chunk handled leaves the selection (what stays of it starts at the cutoff).
            var due = Select(connection, transaction, seriesId, "first_ts < $cutoff ORDER BY last_ts LIMIT $limit", ("$cutoff", cutoff), ("$limit", limit));
            if (due.Count == 0)
            {
                break;
            }
            foreach (var chunk in due)
            {
                Delete(connection, transaction, chunk.Id);
                if (chunk.LastTs < cutoff)
                {
                    removed += chunk.Count;
                    continue;
                }
                var kept = new List<(long, double)>(chunk.Count);
                SampleChunkCodec.Decode(chunk.Data, kept, from: cutoff);
                Write(connection, transaction, seriesId, kept, chunkSize, chunkBytes, evenly: true);
                removed += chunk.Count - kept.Count;
            }
        }
        return removed;
    }
}
