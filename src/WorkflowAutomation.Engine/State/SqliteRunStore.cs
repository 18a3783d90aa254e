using System.Text.Json;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.State;

/// <summary>
/// The run store in the state directory's runs.db (SQLite, WAL, owner-only). Several
/// processes may share the file. Writes go through a <see cref="BatchedWriter"/>; every read,
/// a run's end and Dispose wait for the queue to be committed first.
/// </summary>
public sealed class SqliteRunStore : IRunStore
{
    private const string DaemonOrigin = "daemon";
    private static readonly JsonSerializerOptions Json = RunStoreJsonContext.StoreOptions;

    private readonly SqliteConnection connection;
    private readonly object gate = new();
    private readonly BatchedWriter writer;

    public SqliteRunStore(string databasePath)
    {
        DatabasePath = databasePath;
        if (!File.Exists(databasePath))
        {
            // Created owner-only before SQLite opens it; SQLite gives -wal and -shm the same mode.
            using (File.Create(databasePath))
            {
            }
            OwnerOnly.RestrictFile(databasePath);
        }
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        Execute(Schema);
        RunStoreMigrations.Apply(connection);
        writer = new BatchedWriter(connection, gate, databasePath);
    }

    /// <summary>Leaves WAL checkpoints to a <see cref="WalCheckpointer"/> (the daemon's store): commits no longer pay for them.</summary>
    public void LeaveCheckpointsToBackground()
    {
        lock (gate)
        {
            WalCheckpointer.LeaveCheckpointsTo(connection);
        }
    }

    /// <summary>Lets SQLite free this connection's page cache (its owner is idle).</summary>
    public void ReleaseMemory()
    {
        lock (gate)
        {
            Execute("PRAGMA shrink_memory");
        }
    }

    /// <summary>Blocks until every write queued so far is committed.</summary>
    /// <exception cref="IOException">A queued write failed (the database is locked or damaged).</exception>
    public void Flush() => writer.Flush();

    private void Enqueue(string sql, params (string Name, object? Value)[] parameters) => writer.Enqueue(sql, parameters);

    private void Enqueue((string Sql, (string Name, object? Value)[] Parameters) statement) => writer.Enqueue(statement.Sql, statement.Parameters);

    /// <summary>Opens the store of a state directory, creating the folder and the database when missing.</summary>
    public static SqliteRunStore Open(StateDirectory state)
    {
        state.EnsureCreated();
        return new SqliteRunStore(state.RunsDatabase);
    }

    public string DatabasePath { get; }

    /// <summary>The tables; the counts and indexes added since are created by <see cref="RunStoreMigrations"/>.</summary>
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS runs(
            id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, created INTEGER NOT NULL,
            start_time INTEGER, end_time INTEGER, source_path TEXT, parameters TEXT, error TEXT,
            origin TEXT, restart_of TEXT, definition TEXT,
            owner_pid INTEGER, owner_start INTEGER, owner_host TEXT);
        CREATE INDEX IF NOT EXISTS runs_by_created ON runs(created DESC);
        CREATE INDEX IF NOT EXISTS runs_by_id_nocase ON runs(id COLLATE NOCASE);
        CREATE TABLE IF NOT EXISTS steps(
            run_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
            exit_code INTEGER, start_time INTEGER, end_time INTEGER, outputs TEXT, error TEXT,
            continued INTEGER NOT NULL DEFAULT 0, reused INTEGER NOT NULL DEFAULT 0,
            UNIQUE(run_id, name));
        CREATE TABLE IF NOT EXISTS attempts(
            run_id TEXT NOT NULL, step TEXT NOT NULL, number INTEGER NOT NULL, status TEXT NOT NULL,
            exit_code INTEGER, start_time INTEGER, end_time INTEGER, error TEXT,
            PRIMARY KEY(run_id, step, number));
        CREATE TABLE IF NOT EXISTS rollbacks(
            run_id TEXT NOT NULL, ordinal INTEGER NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL,
            exit_code INTEGER, start_time INTEGER, end_time INTEGER, error TEXT,
            PRIMARY KEY(run_id, ordinal));
        CREATE TABLE IF NOT EXISTS logs(
            seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, step TEXT, ts INTEGER NOT NULL,
            is_error INTEGER NOT NULL, text TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS logs_by_run ON logs(run_id, seq);
        """;

    public void CreateRun(WorkflowRun run, WorkflowDefinition definition, RunOwner owner) => Enqueue(CreateRunStatement(run, definition, owner));

    /// <summary>
    /// Records new runs and their steps in one transaction on the calling thread, committed
    /// before this returns: the daemon's group commit of accepted runs, without a hand-over to
    /// the writer thread. Rows of new runs depend on nothing still queued, so order is kept.
    /// </summary>
    public void CreateRunsNow(IEnumerable<(WorkflowRun Run, WorkflowDefinition Definition)> runs, RunOwner owner)
    {
        lock (gate)
        {
            using var transaction = connection.BeginTransaction();
            foreach (var (run, definition) in runs)
            {
                var (sql, parameters) = CreateRunStatement(run, definition, owner);
                connection.Execute(sql, transaction, parameters);
                foreach (var step in run.Steps)
                {
                    (sql, parameters) = SaveStepStatement(step);
                    connection.Execute(sql, transaction, parameters);
                }
            }
            transaction.Commit();
        }
    }

    private static (string Sql, (string Name, object? Value)[] Parameters) CreateRunStatement(WorkflowRun run, WorkflowDefinition definition, RunOwner owner) => ("""
        INSERT INTO runs(id, name, status, created, start_time, end_time, source_path, parameters, error, origin, restart_of, definition, owner_pid, owner_start, owner_host)
        VALUES($id, $name, $status, $created, $start, $end, $source, $parameters, $error, $origin, $restartOf, $definition, $pid, $ownerStart, $host)
        """,
        [("$id", run.Id), ("$name", run.Name), ("$status", run.Status.ToString()),
        ("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$start", Sql.Milliseconds(run.StartTime)), ("$end", Sql.Milliseconds(run.EndTime)),
        ("$source", run.SourcePath), ("$parameters", JsonSerializer.Serialize(run.Parameters, Json)), ("$error", run.Error),
        ("$origin", run.Origin), ("$restartOf", run.RestartOf), ("$definition", JsonSerializer.Serialize(definition, Json)),
        ("$pid", owner.ProcessId), ("$ownerStart", owner.ProcessStartTicks), ("$host", owner.MachineName)]);

    public void UpdateRun(WorkflowRun run)
    {
        var ended = run.EndTime is not null;
        Enqueue("UPDATE runs SET status=$status, start_time=$start, end_time=$end, error=$error WHERE id=$id",
                ("$id", run.Id), ("$status", run.Status.ToString()), ("$start", Sql.Milliseconds(run.StartTime)), ("$end", Sql.Milliseconds(run.EndTime)), ("$error", run.Error));
        if (ended)
        {
            // A finished run is on disk before anyone is told it finished.
            Flush();
        }
    }

    public void SaveStep(WorkflowStepRun step) => Enqueue(SaveStepStatement(step));

    // An upsert keeps the row id, so steps list in the order they were first written.
    private static (string Sql, (string Name, object? Value)[] Parameters) SaveStepStatement(WorkflowStepRun step) => ("""
        INSERT INTO steps(run_id, name, status, attempts, exit_code, start_time, end_time, outputs, error, continued, reused)
        VALUES($run, $name, $status, $attempts, $exit, $start, $end, $outputs, $error, $continued, $reused)
        ON CONFLICT(run_id, name) DO UPDATE SET status=excluded.status, attempts=excluded.attempts, exit_code=excluded.exit_code,
            start_time=excluded.start_time, end_time=excluded.end_time, outputs=excluded.outputs, error=excluded.error,
            continued=excluded.continued, reused=excluded.reused
        """,
        [("$run", step.RunId), ("$name", step.Name), ("$status", step.Status.ToString()), ("$attempts", step.Attempts),
        ("$exit", step.ExitCode), ("$start", Sql.Milliseconds(step.StartTime)), ("$end", Sql.Milliseconds(step.EndTime)),
        ("$outputs", JsonSerializer.Serialize(step.Outputs, Json)), ("$error", step.Error),
        ("$continued", step.ContinuedOnError ? 1 : 0), ("$reused", step.Reused ? 1 : 0)]);

    public void SaveAttempt(WorkflowStepAttempt attempt)
    {
        Enqueue("""
                INSERT OR REPLACE INTO attempts(run_id, step, number, status, exit_code, start_time, end_time, error)
                VALUES($run, $step, $number, $status, $exit, $start, $end, $error)
                """,
                ("$run", attempt.RunId), ("$step", attempt.Step), ("$number", attempt.Number), ("$status", attempt.Status.ToString()),
                ("$exit", attempt.ExitCode), ("$start", attempt.StartTime.ToUnixTimeMilliseconds()), ("$end", Sql.Milliseconds(attempt.EndTime)), ("$error", attempt.Error));
    }

    public void SaveRollback(WorkflowRollbackRun rollback)
    {
        Enqueue("""
                INSERT OR REPLACE INTO rollbacks(run_id, ordinal, step, status, exit_code, start_time, end_time, error)
                VALUES($run, $ordinal, $step, $status, $exit, $start, $end, $error)
                """,
                ("$run", rollback.RunId), ("$ordinal", rollback.Order), ("$step", rollback.Step), ("$status", rollback.Status.ToString()),
                ("$exit", rollback.ExitCode), ("$start", rollback.StartTime.ToUnixTimeMilliseconds()), ("$end", Sql.Milliseconds(rollback.EndTime)), ("$error", rollback.Error));
    }

    public void AppendLog(WorkflowRunLogLine line)
    {
        Enqueue("INSERT INTO logs(run_id, step, ts, is_error, text) VALUES($run, $step, $ts, $error, $text)",
                ("$run", line.RunId), ("$step", line.Step), ("$ts", line.Timestamp.ToUnixTimeMilliseconds()), ("$error", line.IsError ? 1 : 0), ("$text", line.Text));
    }

    public WorkflowRun? GetRun(string id) => FindRuns(new RunQuery { Ids = [id] }).FirstOrDefault(run => run.Id == id);

    public IReadOnlyList<WorkflowRun> FindRuns(RunQuery query)
    {
        Flush();
        lock (gate)
        {
            var runs = new List<WorkflowRun>();
            var abandoned = new HashSet<WorkflowRun>();
            var (sql, parameters) = FindQuery(query);
            var command = Command(sql, parameters);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var run = new WorkflowRun
                    {
                        Id = reader.GetString(0),
                        Name = reader.GetString(1),
                        Status = Enum.Parse<RunStatus>(reader.GetString(2)),
                        StartTime = Sql.Time(reader, 3),
                        EndTime = Sql.Time(reader, 4),
                        SourcePath = reader.IsDBNull(5) ? null : reader.GetString(5),
                        Parameters = reader.IsDBNull(6) ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6), Json) ?? [],
                        Error = reader.IsDBNull(7) ? null : reader.GetString(7),
                        Origin = reader.IsDBNull(8) ? null : reader.GetString(8),
                        RestartOf = reader.IsDBNull(9) ? null : reader.GetString(9),
                    };
                    // Decided before matching, so -Status Interrupted finds it.
                    if (!reader.IsDBNull(10) && ShowAbandonedAsInterrupted(run, new RunOwner(reader.GetInt32(10), reader.GetInt64(11), reader.GetString(12))))
                    {
                        abandoned.Add(run);
                    }
                    if (Matches(run, query))
                    {
                        runs.Add(run);
                        if (query.First is { } first && runs.Count >= first)
                        {
                            break;
                        }
                    }
                }
            }
            if (!query.WithoutSteps)
            {
                foreach (var run in runs)
                {
                    LoadDetails(run);
                    if (abandoned.Contains(run))
                    {
                        ShowStepsInterrupted(run);
                    }
                }
            }
            return runs;
        }
    }

    public IReadOnlyList<WorkflowRunLogLine> GetLog(string runId, string? step = null)
    {
        Flush();
        lock (gate)
        {
            var lines = new List<WorkflowRunLogLine>();
            var command = Command(step is null
                ? "SELECT step, ts, is_error, text FROM logs WHERE run_id=$run ORDER BY seq"
                : "SELECT step, ts, is_error, text FROM logs WHERE run_id=$run AND (step=$step OR step=$rollback) ORDER BY seq",
                ("$run", runId), ("$step", step), ("$rollback", "rollback:" + step));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                lines.Add(new WorkflowRunLogLine
                {
                    RunId = runId,
                    Step = reader.IsDBNull(0) ? null : reader.GetString(0),
                    Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    IsError = reader.GetInt64(2) != 0,
                    Text = reader.GetString(3),
                });
            }
            return lines;
        }
    }

    public WorkflowDefinition? GetDefinition(string runId)
    {
        Flush();
        lock (gate)
        {
            var command = Command("SELECT definition FROM runs WHERE id=$id", ("$id", runId));
            return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<WorkflowDefinition>(json, Json) : null;
        }
    }

    public IReadOnlyList<string> MarkAbandonedRunsInterrupted()
    {
        Flush();
        lock (gate)
        {
            var abandoned = new List<(string Id, int Pid)>();
            var command = Command($"SELECT id, owner_pid, owner_start, owner_host FROM runs WHERE {UnfinishedSessionRun}", ("$daemon", DaemonOrigin));
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var owner = new RunOwner(reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3));
                    if (!owner.IsAlive())
                    {
                        abandoned.Add((reader.GetString(0), owner.ProcessId));
                    }
                }
            }
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var (id, pid) in abandoned)
            {
                Execute("UPDATE runs SET status='Interrupted', end_time=$now, error=$error WHERE id=$id", ("$id", id), ("$now", now), ("$error", AbandonedMessage(pid)));
                Execute($"UPDATE steps SET status='Interrupted', end_time=$now, error=$error WHERE run_id=$id AND status IN ('Running', 'WaitingForApproval')", ("$id", id), ("$now", now), ("$error", AbandonedStepMessage));
                Execute("UPDATE attempts SET status='Interrupted', end_time=$now WHERE run_id=$id AND status='Running'", ("$id", id), ("$now", now));
            }
            return abandoned.Select(run => run.Id).ToList();
        }
    }

    /// <summary>Session runs that have not ended: the only ones whose owner can vanish behind our back.</summary>
    private const string UnfinishedSessionRun = "status IN ('Running', 'WaitingForApproval') AND (origin IS NULL OR origin <> $daemon)";
    private const string AbandonedStepMessage = "Interrupted: the process running it ended.";

    private static string AbandonedMessage(int pid) =>
        $"The process that ran this run (pid {pid}) ended before the run finished; steps that were running were interrupted.";

    /// <summary>
    /// A read shows a session run whose process is gone as Interrupted without writing it:
    /// reads have no side effects; the recovery step before the next run records it.
    /// </summary>
    private static bool ShowAbandonedAsInterrupted(WorkflowRun run, RunOwner owner)
    {
        if (run.Origin == DaemonOrigin || run.Status is not (RunStatus.Running or RunStatus.WaitingForApproval) || owner.IsAlive())
        {
            return false;
        }
        run.Status = RunStatus.Interrupted;
        run.Error = AbandonedMessage(owner.ProcessId);
        return true;
    }

    private static void ShowStepsInterrupted(WorkflowRun run)
    {
        foreach (var step in run.Steps.Where(step => step.Status is StepStatus.Running or StepStatus.WaitingForApproval))
        {
            step.Status = StepStatus.Interrupted;
            step.Error = AbandonedStepMessage;
        }
    }

    /// <summary>The statement of <see cref="FindRuns"/>: runs newest first, prefiltered where an index can.</summary>
    internal static (string Sql, (string, object?)[] Parameters) FindQuery(RunQuery query)
    {
        var (where, parameters) = Prefilter(query);
        return ($"SELECT id, name, status, start_time, end_time, source_path, parameters, error, origin, restart_of, owner_pid, owner_start, owner_host FROM runs{where} ORDER BY created DESC, rowid DESC", parameters);
    }

    /// <summary>
    /// The part of a query SQLite can answer from an index: exact ids and statuses. Without it
    /// every lookup of one run would read every run ever recorded. Wildcards are left to
    /// <see cref="Matches"/>, which checks every row this lets through.
    /// </summary>
    private static (string Where, (string, object?)[] Parameters) Prefilter(RunQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        string In(string column, IEnumerable<string> values)
        {
            var names = values.Select(value =>
            {
                var name = $"$p{parameters.Count}";
                parameters.Add((name, value));
                return name;
            });
            return $"{column} IN ({string.Join(", ", names)})";
        }
        if (query.Ids is { Count: > 0 } ids && ids.All(id => !id.Contains('*') && !id.Contains('?')))
        {
            conditions.Add(In("id COLLATE NOCASE", ids));
        }
        if (query.Statuses is { Count: > 0 } statuses)
        {
            // A session run whose process is gone reads as Interrupted while it is still recorded as running.
            var stored = statuses.Contains(RunStatus.Interrupted) ? statuses.Append(RunStatus.Running).Append(RunStatus.WaitingForApproval) : statuses;
            conditions.Add(In("status", stored.Distinct().Select(status => status.ToString())));
        }
        return (conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions), [.. parameters]);
    }

    private static bool Matches(WorkflowRun run, RunQuery query) =>
        (query.Ids is null || query.Ids.Any(id => Wildcard.IsMatch(run.Id, id)))
        && (query.Names is null || query.Names.Any(name => Wildcard.IsMatch(run.Name, name)))
        && (query.Statuses is null || query.Statuses.Contains(run.Status));

    private void LoadDetails(WorkflowRun run)
    {
        var steps = new Dictionary<string, WorkflowStepRun>();
        using (var reader = Command("SELECT name, status, attempts, exit_code, start_time, end_time, outputs, error, continued, reused FROM steps WHERE run_id=$run ORDER BY rowid", ("$run", run.Id)).ExecuteReader())
        {
            while (reader.Read())
            {
                var step = new WorkflowStepRun
                {
                    RunId = run.Id,
                    Name = reader.GetString(0),
                    Status = Enum.Parse<StepStatus>(reader.GetString(1)),
                    Attempts = reader.GetInt32(2),
                    ExitCode = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    StartTime = Sql.Time(reader, 4),
                    EndTime = Sql.Time(reader, 5),
                    Error = reader.IsDBNull(7) ? null : reader.GetString(7),
                    ContinuedOnError = reader.GetInt64(8) != 0,
                    Reused = reader.GetInt64(9) != 0,
                };
                if (!reader.IsDBNull(6) && JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6), Json) is { } outputs)
                {
                    foreach (var (key, value) in outputs)
                    {
                        step.Outputs[key] = value;
                    }
                }
                steps[step.Name] = step;
                run.Steps.Add(step);
            }
        }
        using (var reader = Command("SELECT step, number, status, exit_code, start_time, end_time, error FROM attempts WHERE run_id=$run ORDER BY step, number", ("$run", run.Id)).ExecuteReader())
        {
            while (reader.Read())
            {
                if (steps.TryGetValue(reader.GetString(0), out var step))
                {
                    step.AttemptHistory.Add(new WorkflowStepAttempt
                    {
                        RunId = run.Id,
                        Step = step.Name,
                        Number = reader.GetInt32(1),
                        Status = Enum.Parse<StepStatus>(reader.GetString(2)),
                        ExitCode = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                        StartTime = Sql.Time(reader, 4) ?? default,
                        EndTime = Sql.Time(reader, 5),
                        Error = reader.IsDBNull(6) ? null : reader.GetString(6),
                    });
                }
            }
        }
        using (var reader = Command("SELECT ordinal, step, status, exit_code, start_time, end_time, error FROM rollbacks WHERE run_id=$run ORDER BY ordinal", ("$run", run.Id)).ExecuteReader())
        {
            while (reader.Read())
            {
                run.Rollbacks.Add(new WorkflowRollbackRun
                {
                    RunId = run.Id,
                    Order = reader.GetInt32(0),
                    Step = reader.GetString(1),
                    Status = Enum.Parse<StepStatus>(reader.GetString(2)),
                    ExitCode = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    StartTime = Sql.Time(reader, 4) ?? default,
                    EndTime = Sql.Time(reader, 5),
                    Error = reader.IsDBNull(6) ? null : reader.GetString(6),
                });
            }
        }
    }

    /// <summary>A prepared statement of this store's connection (not disposed: it is kept for the next call).</summary>
    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters) => connection.Prepared(sql, null, parameters);

    private void Execute(string sql, params (string Name, object? Value)[] parameters) => connection.Execute(sql, null, parameters);

    public void Dispose()
    {
        writer.Dispose();
        connection.Dispose();
    }
}
