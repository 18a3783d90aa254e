using WorkflowAutomation.Processes;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Before a new run: records the runs of sessions that died as Interrupted and ends the step
/// processes they left running. Reads never do this; only a process about to run steps does.
/// </summary>
public static class AbandonedRunRecovery
{
    /// <summary>Returns the ids of the runs it recovered.</summary>
    public static IReadOnlyList<string> Recover(IRunStore store)
    {
        var recovered = store.MarkAbandonedRunsInterrupted();
        foreach (var runId in recovered)
        {
            // Orphans of the dead session carry its run id: they end with the run.
            ProcessTree.KillByEnvironment("WORKFLOW_RUN_ID", runId);
        }
        return recovered;
    }
}
