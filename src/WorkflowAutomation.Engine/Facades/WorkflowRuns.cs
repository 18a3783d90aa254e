using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Facades;

/// <summary>
/// Recorded and running workflow runs, as the cmdlets, the daemon's clients and the dashboard
/// see them. Whether a run belongs to this process or to the daemon is decided here only.
/// Reads have no side effects.
/// </summary>
public sealed class WorkflowRuns(StateDirectory state)
{
    /// <summary>How long one wait request to the daemon lasts before progress is reported.</summary>
    private const double WaitChunkSeconds = 10;

    /// <summary>Runs matching the query, newest first; none when nothing was ever recorded.</summary>
    public IReadOnlyList<WorkflowRun> Find(RunQuery query)
    {
        if (!File.Exists(state.RunsDatabase))
        {
            return [];
        }
        using var store = SqliteRunStore.Open(state);
        return store.FindRuns(query);
    }

    /// <summary>One run with its steps; <see cref="RunNotFoundException"/> when no run has the id.</summary>
    public WorkflowRun Get(string id) =>
        Find(new RunQuery { Ids = [id] }).FirstOrDefault(run => string.Equals(run.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new RunNotFoundException(id);

    /// <summary>What a run (or one of its steps) wrote, in order.</summary>
    public IReadOnlyList<WorkflowRunLogLine> Log(string id, string? step = null)
    {
        var run = Get(id);
        using var store = SqliteRunStore.Open(state);
        return store.GetLog(run.Id, step);
    }

    /// <summary>
    /// Opens the store for a run this process is about to start, after recording the runs of
    /// sessions that died as Interrupted, ending what they left running and removing their
    /// scratch files.
    /// </summary>
    public SqliteRunStore OpenForNewRun()
    {
        var store = SqliteRunStore.Open(state);
        AbandonedRunRecovery.Recover(store);
        ScratchFiles.CleanLeftoversOnce(state.ScratchFolder, store);
        return store;
    }

    /// <summary>What a restart of a recorded run needs: the definition it ran and the run itself.</summary>
    public (WorkflowDefinition Definition, WorkflowRun Previous) ForRestart(string id)
    {
        var previous = Get(id);
        using var store = SqliteRunStore.Open(state);
        var definition = store.GetDefinition(previous.Id) ?? throw new RunNotFoundException(id);
        return (definition, previous);
    }

    /// <summary>
    /// Blocks until the run has ended for good and returns it. A run of this process is awaited
    /// in place; a daemon run through the daemon, so its bookkeeping (queue, breakers,
    /// metrics) is done when this returns; a run that ended is read from the store even
    /// when no daemon runs. <paramref name="progress"/> sees the run while it goes on.
    /// </summary>
    public WorkflowRun Wait(string id, TimeSpan? timeout, Action<WorkflowRun>? progress, CancellationToken cancellation)
    {
        var limit = timeout ?? Timeout.InfiniteTimeSpan;
        if (ActiveRuns.Find(id) is { } active)
        {
            if (!active.Completion.Wait(limit, cancellation))
            {
                throw WaitTimedOut(id, RunStatus.Running, limit);
            }
            return active.Completion.Result;
        }
        using var client = DaemonClient.TryConnect(state);
        if (client is null)
        {
            var run = Get(id);
            return run.Status.HasEnded() ? run : throw new DaemonNotRunningException(state.Root);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = limit == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : limit - clock.Elapsed;
            var chunk = Math.Max(0, Math.Min(WaitChunkSeconds, left.TotalSeconds));
            var answer = client.Send<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = id, TimeoutSeconds = chunk }, cancellation)!;
            var run = answer.Run ?? throw new RunNotFoundException(id);
            if (answer.Ended)
            {
                return run;
            }
            if (left <= TimeSpan.FromSeconds(chunk))
            {
                throw WaitTimedOut(id, run.Status, limit);
            }
            progress?.Invoke(run);
        }
    }

    /// <summary>
    /// Cancels a run of this process or of the daemon and returns it once it has stopped and
    /// rolled back. A daemon run that is still queued never starts.
    /// </summary>
    public WorkflowRun Cancel(string id, CancellationToken cancellation)
    {
        if (ActiveRuns.Find(id) is { } active)
        {
            return active.Stop();
        }
        var run = Get(id);
        if (run.Origin != DaemonHost.RunOrigin || run.Status.HasEnded())
        {
            throw new WorkflowAutomationException(ErrorIds.RunNotActive, ErrorKind.InvalidOperation,
                $"Run '{id}' is {run.Status} and not running in this process or the daemon. Runs started with Invoke-Workflow -AsJob can be stopped from their session; see Get-WorkflowRun -Status Running.");
        }
        using (var client = DaemonClient.Connect(state))
        {
            client.Send<WorkflowRun>(DaemonOperations.Cancel, new RunRequestBody { RunId = run.Id }, cancellation);
        }
        return Wait(run.Id, timeout: null, progress: null, cancellation);
    }

    private static WorkflowAutomationException WaitTimedOut(string id, RunStatus status, TimeSpan limit) =>
        new(ErrorIds.WaitTimeout, ErrorKind.OperationTimeout,
            $"Run {id} is still {status} after {limit.TotalSeconds:0} s. It goes on; wait again or stop it with Stop-WorkflowRun -Id {id}.");
}
