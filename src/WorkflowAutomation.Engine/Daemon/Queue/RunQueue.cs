using System.Text.Json;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Daemon.Storage;

namespace WorkflowAutomation.Daemon;

/// <summary>A run to put in the queue: <see cref="Alongside"/> runs in the same transaction (a schedule's occurrence).</summary>
public sealed record QueueEntry(string RunId, string Workflow, string? SourcePath, string Definition, IReadOnlyDictionary<string, string> Parameters, string Origin,
    Action<SqliteConnection, SqliteTransaction>? Alongside = null, string? WorkingDirectory = null);

/// <summary>
/// The durable queue: a run is accepted only once its row is committed, taken in submission
/// order, and marked Running before the executor sees it, so that after a crash every
/// accepted run is found again: Queued ones wait their turn, Running ones are resumed.
/// </summary>
public sealed class RunQueue(DaemonDatabase database, TimeProvider time)
{
    private const string Columns = "run_id, workflow, source_path, definition, parameters, origin, status, submitted_at, started_at, finished_at, outcome, attempts, working_directory";

    /// <summary>
    /// Commits a new run; returns only once it is durable. <paramref name="alongside"/> runs in
    /// the same transaction (a schedule records the occurrence it ran, all or nothing).
    /// </summary>
    public QueuedRun Enqueue(string runId, string workflow, string? sourcePath, string definition, IReadOnlyDictionary<string, string> parameters, string origin,
        Action<SqliteConnection, SqliteTransaction>? alongside = null, string? workingDirectory = null)
    {
        var failures = EnqueueAll([new QueueEntry(runId, workflow, sourcePath, definition, parameters, origin, alongside, workingDirectory)]);
        if (failures[0] is { } failure)
        {
            throw failure;
        }
        return Find(runId)!;
    }

    /// <summary>
    /// Commits many new runs in one transaction, in the order given; returns once they are
    /// durable. Each has a savepoint of its own, so one that fails (its <c>alongside</c> threw)
    /// is left out with its exception while the others go in.
    /// </summary>
    public Exception?[] EnqueueAll(IReadOnlyList<QueueEntry> entries)
    {
        var failures = new Exception?[entries.Count];
        var at = Sql.Milliseconds(time.GetUtcNow());
        database.InTransaction((c, t) =>
        {
            var insert = c.Prepared(
                "INSERT INTO queue(run_id, workflow, source_path, definition, parameters, origin, status, submitted_at, working_directory) VALUES ($id, $workflow, $path, $definition, $parameters, $origin, 'Queued', $at, $folder)",
                t, ("$folder", null), ("$id", null), ("$workflow", null), ("$path", null), ("$definition", null), ("$parameters", null), ("$origin", null), ("$at", at));
            for (var index = 0; index < entries.Count; index++)
            {
                var entry = entries[index];
                c.Execute("SAVEPOINT entry", t);
                try
                {
                    Bind(insert, ("$folder", entry.WorkingDirectory), ("$id", entry.RunId), ("$workflow", entry.Workflow), ("$path", entry.SourcePath),
                        ("$definition", entry.Definition), ("$parameters", JsonSerializer.Serialize(entry.Parameters)), ("$origin", entry.Origin));
                    insert.ExecuteNonQuery();
                    entry.Alongside?.Invoke(c, t);
                    c.Execute("RELEASE entry", t);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    c.Execute("ROLLBACK TO entry", t);
                    c.Execute("RELEASE entry", t);
                    failures[index] = exception;
                }
            }
        });
        return failures;
    }

    private static void Bind(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
    }

    /// <summary>Takes the oldest queued run and marks it Running, in one statement (one commit).</summary>
    public QueuedRun? TryStartNext() => database.Use(c => Rows(c.Prepared($"""
        UPDATE queue SET status = 'Running', started_at = $at, attempts = attempts + 1
        WHERE seq = (SELECT seq FROM queue WHERE status = 'Queued' ORDER BY seq LIMIT 1)
        RETURNING {Columns}
        """, null, ("$at", Sql.Milliseconds(time.GetUtcNow())))).SingleOrDefault());

    /// <summary>
    /// At start: runs the previous process left Running go back to the head of the queue
    /// (their order is kept), to be resumed. Returns their ids.
    /// </summary>
    public IReadOnlyList<string> RequeueInterrupted() => database.InTransaction((c, t) =>
    {
        var interrupted = Read(c, t, "WHERE status = 'Running'").Select(run => run.RunId).ToList();
        c.Execute("UPDATE queue SET status = 'Queued' WHERE status = 'Running'", t);
        return (IReadOnlyList<string>)interrupted;
    });

    /// <summary>Records the end of a run.</summary>
    public void Finish(string runId, string outcome) => database.InTransaction((c, t) =>
        c.Execute("UPDATE queue SET status = 'Finished', finished_at = $at, outcome = $outcome WHERE run_id = $id",
            t, ("$id", runId), ("$outcome", outcome), ("$at", Sql.Milliseconds(time.GetUtcNow()))));

    /// <summary>Removes a run that has not started yet; false when it already started or ended.</summary>
    public bool CancelQueued(string runId) => database.InTransaction((c, t) =>
        c.Execute("UPDATE queue SET status = 'Finished', finished_at = $at, outcome = 'Cancelled' WHERE run_id = $id AND status = 'Queued'",
            t, ("$id", runId), ("$at", Sql.Milliseconds(time.GetUtcNow()))) == 1);

    public QueuedRun? Find(string runId) => database.Use(c => Read(c, null, "WHERE run_id = $id", ("$id", runId)).SingleOrDefault());

    public IReadOnlyList<QueuedRun> List(QueueState state) =>
        database.Use(c => Read(c, null, "WHERE status = $status ORDER BY seq", ("$status", state.ToString())));

    public int Count(QueueState state) => database.Use(c =>
    {
        var command = c.Prepared("SELECT count(*) FROM queue WHERE status = $status", null, ("$status", state.ToString()));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    private static List<QueuedRun> Read(SqliteConnection connection, SqliteTransaction? transaction, string where, params (string, object?)[] parameters) =>
        Rows(connection.Prepared($"SELECT {Columns} FROM queue {where}", transaction, parameters));

    private static List<QueuedRun> Rows(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<QueuedRun>();
        while (reader.Read())
        {
            runs.Add(new QueuedRun
            {
                RunId = reader.GetString(0),
                Workflow = reader.GetString(1),
                SourcePath = Sql.Text(reader, 2),
                Definition = reader.GetString(3),
                Parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4)) ?? [],
                Origin = reader.GetString(5),
                State = Enum.Parse<QueueState>(reader.GetString(6)),
                SubmittedAt = Sql.Time(reader, 7)!.Value,
                StartedAt = Sql.Time(reader, 8),
                FinishedAt = Sql.Time(reader, 9),
                Outcome = Sql.Text(reader, 10),
                Starts = reader.GetInt32(11),
                WorkingDirectory = Sql.Text(reader, 12),
            });
        }
        return runs;
    }
}
