using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon.Storage;

/// <summary>
/// The run store as the daemon uses it: every change of a run, a step or an attempt is
/// committed before the executor moves on (the store batches writes for speed otherwise).
/// So after a kill -9 a step recorded as finished really is finished on disk, and is never
/// run again; only log lines stay batched.
/// </summary>
public sealed class CommittedRunStore(SqliteRunStore inner) : IRunStore
{
    public SqliteRunStore Inner => inner;

    public void CreateRun(WorkflowRun run, WorkflowDefinition definition, RunOwner owner)
    {
        inner.CreateRun(run, definition, owner);
        inner.Flush();
    }

    public void UpdateRun(WorkflowRun run)
    {
        inner.UpdateRun(run);
        inner.Flush();
    }

    public void SaveStep(WorkflowStepRun step)
    {
        inner.SaveStep(step);
        inner.Flush();
    }

    public void SaveAttempt(WorkflowStepAttempt attempt)
    {
        inner.SaveAttempt(attempt);
        inner.Flush();
    }

    public void SaveRollback(WorkflowRollbackRun rollback)
    {
        inner.SaveRollback(rollback);
        inner.Flush();
    }

    public void AppendLog(WorkflowRunLogLine line) => inner.AppendLog(line);

    public WorkflowRun? GetRun(string id) => inner.GetRun(id);

    public IReadOnlyList<WorkflowRun> FindRuns(RunQuery query) => inner.FindRuns(query);

    public IReadOnlyList<WorkflowRunLogLine> GetLog(string runId, string? step = null) => inner.GetLog(runId, step);

    public WorkflowDefinition? GetDefinition(string runId) => inner.GetDefinition(runId);

    public int MarkAbandonedRunsInterrupted() => inner.MarkAbandonedRunsInterrupted();

    public void Dispose() => inner.Dispose();
}
