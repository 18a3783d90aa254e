using Microsoft.Data.Sqlite;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics;

/// <summary>The tables of metrics.db and how its connections are opened.</summary>
internal static class MetricSchema
{
    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Opens a connection for writing (WAL itself is persistent in the file).</summary>
    public static SqliteConnection Open(string path)
    {
        var connection = OpenForReading(path);
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        return connection;
    }

    /// <summary>Opens a pooled connection for queries: under WAL, readers never wait for the writer.</summary>
    public static SqliteConnection OpenForReading(string path)
    {
        var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Creates the file owner-only, switches it to WAL and creates the tables. Raw samples land in
    /// the head table <c>samples</c>; older ones are compacted into <c>sample_chunks</c> (see
    /// <see cref="HeadCompactor"/>). A file created here reclaims freed pages by incremental vacuum;
    /// a file from before keeps its setting (changing it needs a full VACUUM) and reuses freed pages.
    /// </summary>
    public static void Create(string path)
    {
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path)!;
            OwnerOnly.CreateDirectory(folder);
            // Created empty and 0600 before SQLite opens it; the -wal and -shm files inherit the mode.
            using (File.Create(path)) { }
            OwnerOnly.RestrictFile(path);
        }
        using var connection = Open(path);
        using (var pages = connection.CreateCommand())
        {
            pages.CommandText = "PRAGMA page_count";
            if ((long)pages.ExecuteScalar()! == 0)
            {
                // Only possible while the file is empty.
                Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL;");
            }
        }
        Execute(connection, "PRAGMA journal_mode=WAL;");
        var ddl = new List<string>
        {
            "CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tags TEXT NOT NULL, type INTEGER NOT NULL, UNIQUE (name, tags))",
            // A query names its series case-insensitively (app.Requests finds app.requests): this
            // finds them without reading every series of a store that holds thousands.
            "CREATE INDEX IF NOT EXISTS series_by_name_nocase ON series (name COLLATE NOCASE)",
            "CREATE TABLE IF NOT EXISTS samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID",
            // Compacted raw samples (rowid order = insertion order, so pages fill densely); the
            // index finds the chunks overlapping a range and a series' newest chunk.
            "CREATE TABLE IF NOT EXISTS sample_chunks (id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, first_ts INTEGER NOT NULL, " +
                "last_ts INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL)",
            "CREATE INDEX IF NOT EXISTS sample_chunks_by_end ON sample_chunks (series_id, last_ts, first_ts)",
            "CREATE TABLE IF NOT EXISTS inbox_files (key TEXT PRIMARY KEY, ingested_at INTEGER NOT NULL) WITHOUT ROWID",
        };
        foreach (var rollup in MetricResolutions.Rollups)
        {
            ddl.Add($"CREATE TABLE IF NOT EXISTS {rollup.Table()} (series_id INTEGER NOT NULL, bucket INTEGER NOT NULL, " +
                "min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL, last REAL NOT NULL, last_ts INTEGER NOT NULL, " +
                "PRIMARY KEY (series_id, bucket)) WITHOUT ROWID");
        }
        using var transaction = connection.BeginTransaction();
        foreach (var statement in ddl)
        {
            Execute(connection, statement, transaction);
        }
        transaction.Commit();
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    /// <summary>The ids of the series from <paramref name="first"/> on, in order: where a paced maintenance pass resumes.</summary>
    internal static List<long> SeriesFrom(SqliteConnection connection, SqliteTransaction transaction, long first)
    {
        using var list = connection.CreateCommand();
        list.Transaction = transaction;
        list.CommandText = "SELECT id FROM series WHERE id >= $first ORDER BY id";
        list.Parameters.AddWithValue("$first", first);
        using var reader = list.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }
}
