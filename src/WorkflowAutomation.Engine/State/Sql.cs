using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>The one set of helpers that keeps the SQL of every store readable.</summary>
internal static class Sql
{
    /// <summary>Distinct statements kept prepared per connection; beyond it they are all prepared afresh.</summary>
    private const int MaxPrepared = 128;

    // Preparing (parsing and planning) a statement costs more than running a small one, and the
    // stores run the same few statements all day: each connection keeps its own prepared.
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> PreparedByConnection = new();

    public static SqliteCommand Command(this SqliteConnection connection, string text, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>
    /// The statement for <paramref name="text"/>, prepared once per connection and reused, with
    /// these parameter values. Not to be disposed, and used by one caller at a time, as the
    /// connection itself (every store holds its lock while it uses its connection). A reader
    /// from it is closed before the same statement runs again.
    /// </summary>
    public static SqliteCommand Prepared(this SqliteConnection connection, string text, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var prepared = PreparedByConnection.GetOrCreateValue(connection);
        if (!prepared.TryGetValue(text, out var command))
        {
            if (prepared.Count >= MaxPrepared)
            {
                foreach (var old in prepared.Values)
                {
                    old.Dispose();
                }
                prepared.Clear();
            }
            command = connection.CreateCommand();
            command.CommandText = text;
            prepared[text] = command;
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>Runs a statement (prepared once per connection, see <see cref="Prepared"/>); returns the rows it changed.</summary>
    public static int Execute(this SqliteConnection connection, string text, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters) =>
        connection.Prepared(text, transaction, parameters).ExecuteNonQuery();

    /// <summary>Every time the stores keep is UTC Unix milliseconds, as the metrics store has always used.</summary>
    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Milliseconds(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
