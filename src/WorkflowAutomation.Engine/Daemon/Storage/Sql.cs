using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.Daemon.Storage;

/// <summary>Small helpers that keep the SQL of the stores readable.</summary>
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

    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
