using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>
/// Brings a runs.db written by an earlier release up to the current layout, once, in one
/// transaction. The version is SQLite's user_version.
/// </summary>
internal static class RunStoreMigrations
{
    /// <summary>The layout this release writes.</summary>
    public const int CurrentVersion = 2;

    /// <summary>.NET ticks at the Unix epoch, and ticks per millisecond.</summary>
    private const long EpochTicks = 621355968000000000, TicksPerMillisecond = 10000;

    /// <summary>Version 0 kept times as .NET ticks; version 1 keeps them as Unix milliseconds like every other store.</summary>
    private static readonly (string Table, string[] Columns)[] TimeColumns =
    [
        ("runs", ["created", "start_time", "end_time"]),
        ("steps", ["start_time", "end_time"]),
        ("attempts", ["start_time", "end_time"]),
        ("rollbacks", ["start_time", "end_time"]),
        ("logs", ["ts"]),
    ];

    /// <summary>
    /// Version 2 keeps reads of a long history as cheap as of a short one. Runs per workflow and
    /// status are counted as they are written (triggers, so every writer keeps them, whatever
    /// its release), so totals and the workflow list never count a million rows; a run row
    /// carries its ~2 KB definition, so reading rows to count them cost a page each. Indexes on
    /// (status, created) and (name, created) give a filtered page newest first without reading
    /// the runs that do not match; the status one replaces the index on status alone.
    /// </summary>
    private const string Version2 = """
        CREATE TABLE IF NOT EXISTS run_counts(
            name TEXT NOT NULL, status TEXT NOT NULL, runs INTEGER NOT NULL,
            PRIMARY KEY(name, status)) WITHOUT ROWID;
        DELETE FROM run_counts;
        INSERT INTO run_counts(name, status, runs) SELECT name, status, count(*) FROM runs GROUP BY name, status;
        CREATE TRIGGER IF NOT EXISTS run_counts_on_insert AFTER INSERT ON runs BEGIN
            INSERT INTO run_counts(name, status, runs) VALUES (new.name, new.status, 1)
                ON CONFLICT(name, status) DO UPDATE SET runs = runs + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS run_counts_on_update AFTER UPDATE OF name, status ON runs
            WHEN old.status IS NOT new.status OR old.name IS NOT new.name BEGIN
            UPDATE run_counts SET runs = runs - 1 WHERE name = old.name AND status = old.status;
            INSERT INTO run_counts(name, status, runs) VALUES (new.name, new.status, 1)
                ON CONFLICT(name, status) DO UPDATE SET runs = runs + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS run_counts_on_delete AFTER DELETE ON runs BEGIN
            UPDATE run_counts SET runs = runs - 1 WHERE name = old.name AND status = old.status;
        END;
        DROP INDEX IF EXISTS runs_by_status;
        CREATE INDEX IF NOT EXISTS runs_by_status_created ON runs(status, created);
        CREATE INDEX IF NOT EXISTS runs_by_name_created ON runs(name, created);
        """;

    public static void Apply(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(connection.Command("PRAGMA user_version", transaction).ExecuteScalar());
        if (version >= CurrentVersion)
        {
            return;
        }
        if (version < 1)
        {
            foreach (var (table, columns) in TimeColumns)
            {
                foreach (var column in columns)
                {
                    // Only values in the ticks range: a half-migrated file (impossible in one transaction, but cheap to guard) is not shifted twice.
                    connection.Execute($"UPDATE {table} SET {column} = ({column} - {EpochTicks}) / {TicksPerMillisecond} WHERE {column} > {EpochTicks}", transaction);
                }
            }
        }
        connection.Execute(Version2, transaction);
        connection.Execute($"PRAGMA user_version = {CurrentVersion}", transaction);
        transaction.Commit();
    }
}
