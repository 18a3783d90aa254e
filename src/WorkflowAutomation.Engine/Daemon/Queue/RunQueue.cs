using System.Text.Json;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Daemon.Storage;

namespace WorkflowAutomation.Daemon;

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
        var now = time.GetUtcNow();
        database.InTransaction((c, t) =>
        {
            c.Execute(
                "INSERT INTO queue(run_id, workflow, source_path, definition, parameters, origin, status, submitted_at, working_directory) VALUES ($id, $workflow, $path, $definition, $parameters, $origin, 'Queued', $at, $folder)",
                t, ("$folder", workingDirectory), ("$id", runId), ("$workflow", workflow), ("$path", sourcePath), ("$definition", definition),
                ("$parameters", JsonSerializer.Serialize(parameters)), ("$origin", origin), ("$at", Sql.Milliseconds(now)));
            alongside?.Invoke(c, t);
        });
        return Find(runId)!;
    }

    /// <summary>
    /// Commits a new run under the first id from <paramref name="newId"/> that no run in the
    /// queue has. Run ids carry 24 random bits within their second, so at hundreds of runs a
    /// second two meet now and then (about once in 100,000 runs at 180 a second); the queue's
    /// unique key catches it and the run takes another id instead of failing.
    /// </summary>
    public QueuedRun Enqueue(Func<string> newId, string workflow, string? sourcePath, string definition, IReadOnlyDictionary<string, string> parameters, string origin,
        Action<SqliteConnection, SqliteTransaction>? alongside = null, string? workingDirectory = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var id = newId();
            try
            {
                return Enqueue(id, workflow, sourcePath, definition, parameters, origin, alongside, workingDirectory);
            }
            catch (SqliteException refused) when (refused.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT && attempt < 10)
            {
                // Asked here, not in the filter: the failed transaction (and whatever 'alongside'
                // wrote in it) is rolled back only once the exception has left Enqueue.
                if (Find(id) is null)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Takes the oldest queued run and marks it Running, in one transaction.</summary>
    public QueuedRun? TryStartNext() => database.InTransaction((c, t) =>
    {
        using var select = c.Command("SELECT run_id FROM queue WHERE status = 'Queued' ORDER BY seq LIMIT 1", t);
        if (select.ExecuteScalar() is not string runId)
        {
            return null;
        }
        c.Execute("UPDATE queue SET status = 'Running', started_at = $at, attempts = attempts + 1 WHERE run_id = $id",
            t, ("$id", runId), ("$at", Sql.Milliseconds(time.GetUtcNow())));
        return Read(c, t, "WHERE run_id = $id", ("$id", runId)).Single();
    });

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
        using var command = c.Command("SELECT count(*) FROM queue WHERE status = $status", null, ("$status", state.ToString()));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    private static List<QueuedRun> Read(SqliteConnection connection, SqliteTransaction? transaction, string where, params (string, object?)[] parameters)
    {
        using var command = connection.Command($"SELECT {Columns} FROM queue {where}", transaction, parameters);
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
