using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>The one set of helpers that keeps the SQL of every store readable.</summary>
internal static class Sql
{
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

    public static int Execute(this SqliteConnection connection, string text, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(text, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Every time the stores keep is UTC Unix milliseconds, as the metrics store has always used.</summary>
    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Milliseconds(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
