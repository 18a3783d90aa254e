using System.Collections.Concurrent;
using WorkflowAutomation.State;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>The answer to an approval gate.</summary>
public enum ApprovalDecision
{
    Pending,
    Approved,
    Denied,
}

/// <summary>
/// Durable approval gates: a request is committed before the run waits, and an answer is
/// committed before the run is told, so a run waiting for approval survives restarts and an
/// answer given just before a crash is not lost.
/// </summary>
public sealed class DaemonApprovalGate(DaemonDatabase database, TimeProvider time) : IApprovalGate
{
    private readonly ConcurrentDictionary<(string Run, string Step), TaskCompletionSource<bool>> waiters = new();

    public async Task<bool> RequestAsync(WorkflowRun run, WorkflowStep step, CancellationToken cancellationToken)
    {
        var key = (run.Id, step.Name);
        var waiter = waiters.GetOrAdd(key, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Registered before the request is read, so an answer in between is not missed.
        var decision = database.InTransaction((c, t) =>
        {
            c.Execute("INSERT OR IGNORE INTO approvals(run_id, step, status, requested_at) VALUES ($run, $step, 'Pending', $now)",
                t, ("$run", run.Id), ("$step", step.Name), ("$now", Sql.Milliseconds(time.GetUtcNow())));
            return Read(c, t, run.Id, step.Name)!.Value;
        });
        if (decision != ApprovalDecision.Pending)
        {
            waiters.TryRemove(key, out _);
            return decision == ApprovalDecision.Approved;
        }
        using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            try
            {
                return await waiter.Task.ConfigureAwait(false);
            }
            finally
            {
                waiters.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Approves or denies a step waiting for approval; the waiting run goes on at once.</summary>
    public ApprovalDecision Answer(string runId, string step, bool approve, string? answeredBy, string? reason)
    {
        var decision = approve ? ApprovalDecision.Approved : ApprovalDecision.Denied;
        database.InTransaction((c, t) =>
        {
            var current = Read(c, t, runId, step);
            if (current != ApprovalDecision.Pending)
            {
                throw new WorkflowAutomationException(ErrorIds.ApprovalNotPending, current is null ? ErrorKind.ObjectNotFound : ErrorKind.InvalidOperation,
                    current is null
                        ? $"Step '{step}' of run {runId} is not waiting for approval. Get-WorkflowRun -Id {runId} shows its steps."
                        : $"Step '{step}' of run {runId} was already {current.Value.ToString().ToLowerInvariant()}.");
            }
            c.Execute("UPDATE approvals SET status = $status, answered_at = $now, answered_by = $by, reason = $reason WHERE run_id = $run AND step = $step",
                t, ("$run", runId), ("$step", step), ("$status", decision.ToString()), ("$now", Sql.Milliseconds(time.GetUtcNow())),
                ("$by", answeredBy), ("$reason", reason));
        });
        if (waiters.TryGetValue((runId, step), out var waiter))
        {
            waiter.TrySetResult(approve);
        }
        return decision;
    }

    /// <summary>Requests still waiting for an answer.</summary>
    public int CountPending() => database.Use(c =>
    {
        var command = c.Prepared("SELECT count(*) FROM approvals WHERE status = 'Pending'");
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Gates waiting for an answer, oldest first.</summary>
    public IReadOnlyList<PendingApproval> Pending() => database.Use(c =>
    {
        var command = c.Prepared("SELECT run_id, step, requested_at FROM approvals WHERE status = 'Pending' ORDER BY requested_at");
        using var reader = command.ExecuteReader();
        var list = new List<PendingApproval>();
        while (reader.Read())
        {
            list.Add(new PendingApproval(reader.GetString(0), reader.GetString(1), Sql.Time(reader, 2)));
        }
        return list;
    });

    private static ApprovalDecision? Read(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string runId, string step)
    {
        var command = connection.Prepared("SELECT status FROM approvals WHERE run_id = $run AND step = $step", transaction, ("$run", runId), ("$step", step));
        return command.ExecuteScalar() is string status ? Enum.Parse<ApprovalDecision>(status) : null;
    }
}

/// <summary>A gate waiting for Approve- or Deny-WorkflowStep.</summary>
public sealed record PendingApproval(string RunId, string Step, DateTimeOffset? RequestedAt);
