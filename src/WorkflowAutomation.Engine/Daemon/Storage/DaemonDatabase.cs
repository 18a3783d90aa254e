using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon.Storage;

/// <summary>
/// The daemon's SQLite file (queue, schedules, circuit breakers, approvals). Every change is
/// one committed transaction before the caller acknowledges it; WAL mode keeps readers
/// (cmdlets listing schedules) from blocking the daemon's writes. A committed WAL
/// transaction survives a kill -9 of the process.
/// </summary>
public sealed class DaemonDatabase : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection connection;
    private readonly object gate = new();

    public DaemonDatabase(string path)
    {
        Path = path;
        var folder = System.IO.Path.GetDirectoryName(path)!;
        OwnerOnly.CreateDirectory(folder);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        connection = new SqliteConnection(builder.ToString());
        connection.Open();
        OwnerOnly.RestrictFile(path);
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        Migrate();
        AddColumnIfMissing("breakers", "command", "TEXT");
        AddColumnIfMissing("queue", "working_directory", "TEXT");
    }

    public string Path { get; }

    public static DaemonDatabase Open(StateDirectory state) => new(new DaemonPaths(state).Database);

    /// <summary>Runs work on the one connection, serialised (SQLite has one writer anyway).</summary>
    public T Use<T>(Func<SqliteConnection, T> work)
    {
        lock (gate)
        {
            return work(connection);
        }
    }

    /// <summary>Runs work in one transaction, committed before this returns.</summary>
    public T InTransaction<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        lock (gate)
        {
            using var transaction = connection.BeginTransaction();
            var result = work(connection, transaction);
            transaction.Commit();
            return result;
        }
    }

    public void InTransaction(Action<SqliteConnection, SqliteTransaction> work) =>
        InTransaction<bool>((c, t) => { work(c, t); return true; });

    /// <summary>Leaves WAL checkpoints to a <see cref="WalCheckpointer"/> (the daemon's own connection): commits no longer pay for them.</summary>
    public void LeaveCheckpointsToBackground() => Use(c =>
    {
        WalCheckpointer.LeaveCheckpointsTo(c);
        return 0;
    });

    /// <summary>Lets SQLite free its page cache (the daemon is idle).</summary>
    public void ReleaseMemory() => Execute("PRAGMA shrink_memory");

    /// <summary>A trivial query: the health check's proof that the file is readable and not locked.</summary>
    public void Ping() => Use(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master";
        return command.ExecuteScalar();
    });

    private void Execute(string sql) => Use(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    });

    /// <summary>A column added after a table was first created: older files get it on open (no data is lost).</summary>
    private void AddColumnIfMissing(string table, string column, string type) => Use(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
            command.ExecuteNonQuery();
        }
        return 0;
    });

    private void Migrate()
    {
        var version = Use(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "PRAGMA user_version";
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });
        if (version >= SchemaVersion)
        {
            return;
        }
        InTransaction((c, t) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = t;
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS queue (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL UNIQUE,
                    workflow TEXT NOT NULL,
                    source_path TEXT,
                    definition TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    status TEXT NOT NULL,
                    submitted_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER,
                    outcome TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX IF NOT EXISTS queue_status ON queue(status, seq);
                CREATE TABLE IF NOT EXISTS schedules (
                    name TEXT PRIMARY KEY,
                    path TEXT NOT NULL,
                    cron TEXT NOT NULL,
                    time_zone TEXT,
                    registered_at INTEGER NOT NULL,
                    last_fired_at INTEGER);
                CREATE TABLE IF NOT EXISTS breakers (
                    name TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    state TEXT NOT NULL,
                    failures INTEGER NOT NULL,
                    opened_at INTEGER,
                    last_failure_at INTEGER,
                    last_error TEXT,
                    changed_at INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS approvals (
                    run_id TEXT NOT NULL,
                    step TEXT NOT NULL,
                    status TEXT NOT NULL,
                    requested_at INTEGER NOT NULL,
                    answered_at INTEGER,
                    answered_by TEXT,
                    reason TEXT,
                    PRIMARY KEY (run_id, step));
                """;
            command.ExecuteNonQuery();
            command.CommandText = $"PRAGMA user_version = {SchemaVersion}";
            command.ExecuteNonQuery();
        });
    }

    public void Dispose()
    {
        lock (gate)
        {
            connection.Dispose();
        }
    }
}
