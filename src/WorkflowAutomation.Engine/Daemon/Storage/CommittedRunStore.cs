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
    public SqliteRunStore Inner => inner;

    public void CreateRun(WorkflowRun run, WorkflowDefinition definition, RunOwner owner)
    {
        inner.CreateRun(run, definition, owner);
        inner.Flush();
    }

    /// <summary>A run's end is committed before anyone is told (the inner store flushes it); its start rides along.</summary>
    public void UpdateRun(WorkflowRun run) => inner.UpdateRun(run);

    public void SaveStep(WorkflowStepRun step)
    {
        inner.SaveStep(step);
        if (step.Status is not (StepStatus.Pending or StepStatus.Running))
        {
            inner.Flush();
        }
    }

    public void SaveAttempt(WorkflowStepAttempt attempt)
    {
        inner.SaveAttempt(attempt);
        if (attempt.Status != StepStatus.Running)
        {
            inner.Flush();
        }
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

    public IReadOnlyList<string> MarkAbandonedRunsInterrupted() => inner.MarkAbandonedRunsInterrupted();

    public void Dispose() => inner.Dispose();
}
