using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.State;

/// <summary>
/// Where runs are recorded as they go (runs, steps, attempts, rollbacks, outputs, log
/// lines), so a crash leaves an honest record. The SQLite store serves one machine; the
/// daemon and the cmdlets share it. Implementations are safe to call from many threads.
/// </summary>
public interface IRunStore : IDisposable
{
    /// <summary>Records a new run with the definition it runs (used by Restart-WorkflowRun) and the process that owns it.</summary>
    void CreateRun(WorkflowRun run, WorkflowDefinition definition, RunOwner owner);

    /// <summary>Writes the run's status, times and error.</summary>
    void UpdateRun(WorkflowRun run);

    /// <summary>Writes a step's current state and outputs (insert or replace).</summary>
    void SaveStep(WorkflowStepRun step);

    /// <summary>Writes an attempt (insert or replace by run, step and number).</summary>
    void SaveAttempt(WorkflowStepAttempt attempt);

    /// <summary>Writes a rollback (insert or replace by run and order).</summary>
    void SaveRollback(WorkflowRollbackRun rollback);

    /// <summary>Appends captured output.</summary>
    void AppendLog(WorkflowRunLogLine line);

    /// <summary>A run with its steps, attempts and rollbacks, or null.</summary>
    WorkflowRun? GetRun(string id);

    /// <summary>Runs matching the query, newest first.</summary>
    IReadOnlyList<WorkflowRun> FindRuns(RunQuery query);

    /// <summary>The captured output of a run, in the order it was written.</summary>
    IReadOnlyList<WorkflowRunLogLine> GetLog(string runId, string? step = null);

    /// <summary>The definition a run ran, or null if the run is unknown.</summary>
    WorkflowDefinition? GetDefinition(string runId);

    /// <summary>
    /// Marks Running and WaitingForApproval runs whose owning process is gone as Interrupted
    /// (and their unfinished steps too). Returns the ids of the runs it marked.
    /// </summary>
    IReadOnlyList<string> MarkAbandonedRunsInterrupted();
}

/// <summary>Filters for <see cref="IRunStore.FindRuns"/>; null means any.</summary>
public sealed class RunQuery
{
    /// <summary>Run ids; a trailing * matches a prefix.</summary>
    public IReadOnlyList<string>? Ids { get; init; }
    /// <summary>Workflow names; * and ? wildcards allowed.</summary>
    public IReadOnlyList<string>? Names { get; init; }
    public IReadOnlyList<RunStatus>? Statuses { get; init; }
    public int? First { get; init; }
    /// <summary>Leave steps, attempts and rollbacks out (faster listings).</summary>
    public bool WithoutSteps { get; init; }
}

/// <summary>The process that runs a run; when it is gone, the run was interrupted.</summary>
public sealed record RunOwner(int ProcessId, long ProcessStartTicks, string MachineName)
{
    /// <summary>This process.</summary>
    public static RunOwner Current { get; } = Create();

    private static RunOwner Create()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new RunOwner(self.Id, self.StartTime.ToUniversalTime().Ticks, Environment.MachineName);
    }

    /// <summary>True when the owner is this machine's process that is still running (pid not reused).</summary>
    public bool IsAlive()
    {
        if (!string.Equals(MachineName, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            // Another machine's run: not ours to judge.
            return true;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(ProcessId);
            return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - ProcessStartTicks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
