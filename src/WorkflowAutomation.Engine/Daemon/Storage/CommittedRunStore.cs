using System.Collections.Concurrent;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon.Storage;

/// <summary>
/// The run store as the daemon uses it: every change that ends something (a step, an
/// attempt, a rollback, the run) and every new run is committed before the executor moves
/// on (the store batches writes for speed otherwise). So after a kill -9 a step recorded as
/// finished really is finished on disk, and the steps after it never start before that;
/// a step found unfinished is run again. Changes that start something (Running) and log
/// lines ride along with the next commit.
/// </summary>
public sealed class CommittedRunStore(SqliteRunStore inner) : IRunStore
{
    // Runs just accepted, as committed: their first start takes the record from here instead
    // of waiting for the writer and reading it back. Any change to a run drops its entry.
    private readonly ConcurrentDictionary<string, WorkflowRun> accepted = new(StringComparer.Ordinal);

    public SqliteRunStore Inner => inner;

    /// <summary>Keeps the record of a run just committed (a copy nobody else holds) for its first read.</summary>
    public void Accepted(WorkflowRun run) => accepted[run.Id] = run;

    public void CreateRun(WorkflowRun run, WorkflowDefinition definition, RunOwner owner)
    {
        accepted.TryRemove(run.Id, out _);
        inner.CreateRun(run, definition, owner);
        inner.Flush();
    }

    /// <summary>A run's end is committed before anyone is told (the inner store flushes it); its start rides along.</summary>
    public void UpdateRun(WorkflowRun run)
    {
        accepted.TryRemove(run.Id, out _);
        inner.UpdateRun(run);
    }

    public void SaveStep(WorkflowStepRun step)
    {
        accepted.TryRemove(step.RunId, out _);
        inner.SaveStep(step);
        if (step.Status is not (StepStatus.Pending or StepStatus.Running))
        {
            inner.Flush();
        }
    }

    public void SaveAttempt(WorkflowStepAttempt attempt)
    {
        accepted.TryRemove(attempt.RunId, out _);
        inner.SaveAttempt(attempt);
        if (attempt.Status != StepStatus.Running)
        {
            inner.Flush();
        }
    }

    public void SaveRollback(WorkflowRollbackRun rollback)
    {
        accepted.TryRemove(rollback.RunId, out _);
        inner.SaveRollback(rollback);
        inner.Flush();
    }

    public void AppendLog(WorkflowRunLogLine line) => inner.AppendLog(line);

    /// <summary>The run as recorded; a run just accepted is handed over once without a read.</summary>
    public WorkflowRun? GetRun(string id) => accepted.TryRemove(id, out var run) ? run : inner.GetRun(id);

    public IReadOnlyList<WorkflowRun> FindRuns(RunQuery query) => inner.FindRuns(query);

    public IReadOnlyList<WorkflowRunLogLine> GetLog(string runId, string? step = null) => inner.GetLog(runId, step);

    public WorkflowDefinition? GetDefinition(string runId) => inner.GetDefinition(runId);

    public IReadOnlyList<string> MarkAbandonedRunsInterrupted() => inner.MarkAbandonedRunsInterrupted();

    public void Dispose() => inner.Dispose();
}
