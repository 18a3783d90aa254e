using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>
/// Read-only queries over runs.db that the run store does not offer (paging, time ranges,
/// search, log tails, change detection). Opens the file read-only: it never writes, so it
/// can have no side effect on runs.
/// </summary>
public sealed class RunQueries(StateDirectory state)
{
    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = state.RunsDatabase,
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = true,
    }.ToString();

    private const string SummaryColumns = "rowid, id, name, status, created, start_time, end_time, error, origin";

    /// <summary>A page of the history; keyset-paged so the 1000th page costs what the first does.</summary>
    public RunPage List(RunListFilter filter)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return new RunPage { Runs = [] };
        }
        using var connection = Open();
        var limit = Math.Clamp(filter.Limit, 1, 500);
        var runs = new List<RunSummary>();
        string? next = null;
        var (pageSql, pageParameters) = PageQuery(filter, limit + 1);
        using (var command = Command(connection, pageSql, pageParameters))
        using (var reader = command.ExecuteReader())
        {
            long lastCreated = 0, lastRow = 0;
            while (reader.Read())
            {
                if (runs.Count == limit)
                {
                    next = string.Create(CultureInfo.InvariantCulture, $"{lastCreated}.{lastRow}");
                    break;
                }
                runs.Add(Summary(reader));
                (lastCreated, lastRow) = (reader.GetInt64(4), reader.GetInt64(0));
            }
        }
        var (countSql, countParameters) = CountQuery(filter);
        using var count = Command(connection, countSql, countParameters);
        return new RunPage { Runs = runs, Next = next, Total = (long)count.ExecuteScalar()! };
    }

    /// <summary>The statement of one page, newest first, from <see cref="RunListFilter.After"/> on.</summary>
    internal static (string Sql, List<(string Name, object? Value)> Parameters) PageQuery(RunListFilter filter, int rows)
    {
        var (where, parameters) = Where(filter);
        if (filter.After is { } after && after.Split('.') is [var created, var row]
            && long.TryParse(created, CultureInfo.InvariantCulture, out var createdAt) && long.TryParse(row, CultureInfo.InvariantCulture, out var rowid))
        {
            where.Add("(created < $afterCreated OR (created = $afterCreated AND rowid < $afterRow))");
            parameters.Add(("$afterCreated", createdAt));
            parameters.Add(("$afterRow", rowid));
        }
        return ($"SELECT {SummaryColumns} FROM runs{Clause(where)} ORDER BY created DESC, rowid DESC LIMIT {rows}", parameters);
    }

    /// <summary>
    /// The statement of the total. Filters on status and workflow alone read the counts the
    /// store keeps per workflow and status (their columns have the same names), so the total
    /// costs the same with a million runs as with ten; a time range counts the index entries in
    /// it, and a search reads every run.
    /// </summary>
    internal static (string Sql, List<(string Name, object? Value)> Parameters) CountQuery(RunListFilter filter)
    {
        var (where, parameters) = Where(filter);
        var counted = filter.Since is null && filter.Until is null && filter.Search is not { Length: > 0 };
        return ($"SELECT {(counted ? "coalesce(sum(runs), 0) FROM run_counts" : "count(*) FROM runs")}{Clause(where)}", parameters);
    }

    /// <summary>Every workflow name with how many runs it has, for the filter (from the store's counts: no run is read).</summary>
    public IReadOnlyList<(string Name, long Runs)> Workflows()
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return [];
        }
        using var connection = Open();
        using var command = Command(connection, "SELECT name, sum(runs) FROM run_counts GROUP BY name HAVING sum(runs) > 0 ORDER BY name", []);
        using var reader = command.ExecuteReader();
        var list = new List<(string, long)>();
        while (reader.Read())
        {
            list.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        return list;
    }

    /// <summary>Captured output after a sequence number (0 for all), at most 5000 lines: the live tail asks again from the last.</summary>
    public IReadOnlyList<LogLine> Log(string runId, string? step, long after)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return [];
        }
        using var connection = Open();
        using var command = Command(connection, step is null
            ? "SELECT seq, step, ts, is_error, text FROM logs WHERE run_id = $run AND seq > $after ORDER BY seq LIMIT 5000"
            : "SELECT seq, step, ts, is_error, text FROM logs WHERE run_id = $run AND seq > $after AND (step = $step OR step = $rollback) ORDER BY seq LIMIT 5000",
            [("$run", runId), ("$after", after), ("$step", step), ("$rollback", "rollback:" + step)]);
        using var reader = command.ExecuteReader();
        var lines = new List<LogLine>();
        while (reader.Read())
        {
            lines.Add(new LogLine(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetInt64(3) != 0, reader.GetString(4)));
        }
        return lines;
    }

    /// <summary>
    /// The state of runs that may have changed since the last look: active ones, ones created
    /// after <paramref name="createdAfter"/> and the ones named (active last time). Each with a
    /// fingerprint of its steps, so a caller sees what moved.
    /// </summary>
    public IReadOnlyList<RunFingerprint> Fingerprints(long createdAfter, IReadOnlyCollection<string> watched)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return [];
        }
        using var connection = Open();
        return Fingerprints(connection, createdAfter, watched);
    }

    /// <summary>Fingerprints and new log lines in one look (one connection: the watcher asks several times a second).</summary>
    public (IReadOnlyList<RunFingerprint> Runs, long LastLog, IReadOnlyList<string> Logged) Changes(long createdAfter, IReadOnlyCollection<string> watched, long logAfter)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return ([], logAfter, []);
        }
        using var connection = Open();
        var (last, logged) = LogsAfter(connection, logAfter);
        return (Fingerprints(connection, createdAfter, watched), last, logged);
    }

    private static List<RunFingerprint> Fingerprints(SqliteConnection connection, long createdAfter, IReadOnlyCollection<string> watched)
    {
        var parameters = new List<(string, object?)> { ("$after", createdAfter) };
        var names = watched.Select((id, i) => { parameters.Add(("$w" + i, id)); return "$w" + i; }).ToList();
        var sql = $"""
            SELECT r.id, r.name, r.status, r.created,
                   (SELECT group_concat(s.name || '=' || s.status || '/' || s.attempts, ',') FROM steps s WHERE s.run_id = r.id)
            FROM runs r
            WHERE r.status IN ('Queued', 'Running', 'WaitingForApproval') OR r.created > $after
            {(names.Count > 0 ? $"OR r.id IN ({string.Join(",", names)})" : "")}
            """;
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<RunFingerprint>();
        while (reader.Read())
        {
            list.Add(new RunFingerprint(reader.GetString(0), reader.GetString(1), Enum.Parse<RunStatus>(reader.GetString(2)),
                reader.GetInt64(3), reader.IsDBNull(4) ? "" : reader.GetString(4)));
        }
        return list;
    }

    /// <summary>The newest log sequence number, and the runs with lines after <paramref name="after"/>.</summary>
    public (long Last, IReadOnlyList<string> Runs) LogsAfter(long after)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return (after, []);
        }
        using var connection = Open();
        return LogsAfter(connection, after);
    }

    private static (long Last, IReadOnlyList<string> Runs) LogsAfter(SqliteConnection connection, long after)
    {
        using var last = Command(connection, "SELECT coalesce(max(seq), 0) FROM logs", []);
        var newest = (long)last.ExecuteScalar()!;
        if (newest <= after)
        {
            return (newest, []);
        }
        using var runs = Command(connection, "SELECT DISTINCT run_id FROM logs WHERE seq > $after LIMIT 100", [("$after", after)]);
        using var reader = runs.ExecuteReader();
        var list = new List<string>();
        while (reader.Read())
        {
            list.Add(reader.GetString(0));
        }
        return (newest, list);
    }

    /// <summary>Runs started between two moments, with how long they waited and ran (the Performance page).</summary>
    public IReadOnlyList<RunTiming> Timings(DateTimeOffset since)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return [];
        }
        using var connection = Open();
        using var command = Command(connection,
            "SELECT name, status, origin, created, start_time, end_time FROM runs WHERE created >= $since ORDER BY created DESC LIMIT 100000",
            [("$since", since.ToUnixTimeMilliseconds())]);
        using var reader = command.ExecuteReader();
        var list = new List<RunTiming>();
        while (reader.Read())
        {
            list.Add(new RunTiming(reader.GetString(0), Enum.Parse<RunStatus>(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
        }
        return list;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var timeout = connection.CreateCommand();
        // A small page cache: pooled connections keep theirs, and the dashboard should not cost the daemon much memory.
        timeout.CommandText = "PRAGMA busy_timeout=2000; PRAGMA cache_size=-256;";
        timeout.ExecuteNonQuery();
        return connection;
    }

    internal static RunSummary Summary(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(1),
        Name = reader.GetString(2),
        Status = Enum.Parse<RunStatus>(reader.GetString(3)),
        Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        StartTime = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        EndTime = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        Error = reader.IsDBNull(7) ? null : reader.GetString(7),
        Origin = reader.IsDBNull(8) ? null : reader.GetString(8),
    };

    private static (List<string> Where, List<(string Name, object? Value)> Parameters) Where(RunListFilter filter)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.Statuses is { Count: > 0 } statuses)
        {
            where.Add("status IN (" + string.Join(",", statuses.Select((status, i) => { parameters.Add(("$s" + i, status.ToString())); return "$s" + i; })) + ")");
        }
        if (filter.Workflow is { Length: > 0 } workflow)
        {
            where.Add("name = $workflow");
            parameters.Add(("$workflow", workflow));
        }
        if (filter.Since is { } since)
        {
            where.Add("created >= $since");
            parameters.Add(("$since", since.ToUnixTimeMilliseconds()));
        }
        if (filter.Until is { } until)
        {
            where.Add("created < $until");
            parameters.Add(("$until", until.ToUnixTimeMilliseconds()));
        }
        if (filter.Search is { Length: > 0 } search)
        {
            where.Add("(id LIKE $search ESCAPE '\\' OR name LIKE $search ESCAPE '\\' OR error LIKE $search ESCAPE '\\')");
            parameters.Add(("$search", "%" + EscapeLike(search) + "%"));
        }
        return (where, parameters);
    }

    private static string EscapeLike(string text)
    {
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static string Clause(List<string> where) => where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);

    private static SqliteCommand Command(SqliteConnection connection, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }
}

/// <summary>One captured line with its sequence number (the live tail resumes after it).</summary>
public sealed record LogLine(long Seq, string? Step, DateTimeOffset Timestamp, bool IsError, string Text);

/// <summary>A run's status and its steps' statuses in one string, to see what changed.</summary>
public sealed record RunFingerprint(string Id, string Name, RunStatus Status, long Created, string Steps);

/// <summary>When a run was accepted, started and ended (Unix milliseconds, as runs.db keeps them).</summary>
public sealed record RunTiming(string Name, RunStatus Status, string? Origin, long Created, long? Start, long? End);
