using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>
/// Brings a runs.db written by an earlier release up to the current layout, once, in one
/// transaction. The version is SQLite's user_version.
/// </summary>
internal static class RunStoreMigrations
{
    /// <summary>The layout this release writes.</summary>
    public const int CurrentVersion = 1;

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

    public static void Apply(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(connection.Command("PRAGMA user_version", transaction).ExecuteScalar());
        if (version >= CurrentVersion)
        {
            return;
        }
        foreach (var (table, columns) in TimeColumns)
        {
            foreach (var column in columns)
            {
                // Only values in the ticks range: a half-migrated file (impossible in one transaction, but cheap to guard) is not shifted twice.
                connection.Execute($"UPDATE {table} SET {column} = ({column} - {EpochTicks}) / {TicksPerMillisecond} WHERE {column} > {EpochTicks}", transaction);
            }
        }
        connection.Execute($"PRAGMA user_version = {CurrentVersion}", transaction);
        transaction.Commit();
    }
}
