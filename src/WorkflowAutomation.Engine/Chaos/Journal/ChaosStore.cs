using WorkflowAutomation.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>What Get-ChaosResult asks for.</summary>
public sealed class ChaosResultQuery
{
    /// <summary>Result ids; a trailing * matches a prefix.</summary>
    public IReadOnlyList<string>? Ids { get; init; }
    public IReadOnlyList<ChaosFaultType>? Types { get; init; }
    public IReadOnlyList<ChaosVerdict>? Verdicts { get; init; }
    /// <summary>At most this many, newest first.</summary>
    public int? First { get; init; }
}

/// <summary>
/// The chaos journal: every result with its probes, faults, timings and measurements, in
/// chaos.db in the state directory (owner-only). Each result is one JSON document, so the
/// journal exports as it is stored.
/// </summary>
public sealed class ChaosStore : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SqliteConnection connection;

    private ChaosStore(string path)
    {
        Path = path;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        if (!OperatingSystem.IsWindows() && !File.Exists(path))
        {
            // Created owner-only before SQLite opens it, so it is never readable by others.
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly.OwnerFileMode }))
            {
            }
        }
        connection = new SqliteConnection(builder.ToString());
        connection.Open();
        OwnerOnly.RestrictFile(path);
        Execute("""
            PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;
            CREATE TABLE IF NOT EXISTS results(
                id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, verdict TEXT NOT NULL,
                start_ms INTEGER NOT NULL, end_ms INTEGER, json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS results_start ON results(start_ms);
            """);
    }

    /// <summary>The path of chaos.db.</summary>
    public string Path { get; }

    public static string FileOf(StateDirectory state) => System.IO.Path.Combine(state.Root, "chaos.db");

    public static ChaosStore Open(StateDirectory state)
    {
        state.EnsureCreated();
        return new ChaosStore(FileOf(state));
    }

    /// <summary>Inserts or replaces a result.</summary>
    public void Save(ChaosResult result)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO results(id, type, name, verdict, start_ms, end_ms, json) VALUES ($id, $type, $name, $verdict, $start, $end, $json)
            ON CONFLICT(id) DO UPDATE SET verdict = excluded.verdict, end_ms = excluded.end_ms, json = excluded.json, name = excluded.name
            """;
        command.Parameters.AddWithValue("$id", result.Id);
        command.Parameters.AddWithValue("$type", result.Type.ToString());
        command.Parameters.AddWithValue("$name", result.Name);
        command.Parameters.AddWithValue("$verdict", result.Verdict.ToString());
        command.Parameters.AddWithValue("$start", result.StartTime.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$end", (object?)result.EndTime?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$json", ToJson(result));
        command.ExecuteNonQuery();
    }

    /// <summary>Results matching a query, newest first.</summary>
    public IReadOnlyList<ChaosResult> Find(ChaosResultQuery query)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, type, verdict, json FROM results ORDER BY start_ms DESC, id DESC";
        using var reader = command.ExecuteReader();
        var list = new List<ChaosResult>();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (query.Ids is { Count: > 0 } ids && !ids.Any(pattern => Wildcard.IsMatch(id, pattern)))
            {
                continue;
            }
            if (query.Types is { Count: > 0 } types && !types.Any(t => t.ToString() == reader.GetString(1)))
            {
                continue;
            }
            if (query.Verdicts is { Count: > 0 } verdicts && !verdicts.Any(v => v.ToString() == reader.GetString(2)))
            {
                continue;
            }
            if (FromJson(reader.GetString(3)) is { } result)
            {
                list.Add(result);
            }
            if (query.First is { } first && list.Count >= first)
            {
                break;
            }
        }
        return list;
    }

    /// <summary>A result as the JSON document the journal keeps.</summary>
    public static string ToJson(ChaosResult result) => JsonSerializer.Serialize(result, Json);

    public static ChaosResult? FromJson(string json) => JsonSerializer.Deserialize<ChaosResult>(json, Json);

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => connection.Dispose();
}
