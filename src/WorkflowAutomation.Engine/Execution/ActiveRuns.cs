using System.Collections.Concurrent;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// The runs in progress in this process (Invoke-Workflow, its jobs), so that Stop- and
/// Wait-WorkflowRun from any runspace of the process can reach them.
/// </summary>
public static class ActiveRuns
{
    private static readonly ConcurrentDictionary<string, ActiveRun> Active = new(StringComparer.OrdinalIgnoreCase);

    public static void Register(string runId, ActiveRun run) => Active[runId] = run;

    public static void Unregister(string runId) => Active.TryRemove(runId, out _);

    public static ActiveRun? Find(string runId) => Active.TryGetValue(runId, out var run) ? run : null;

    public static IReadOnlyCollection<string> Ids => Active.Keys.ToList();
}

/// <summary>A run in progress in this process, and how to stop it.</summary>
/// <param name="stop">Cancels the run and blocks until it has stopped, rolled back and been recorded.</param>
/// <param name="completion">Ends with the run when it ends.</param>
public sealed class ActiveRun(Func<WorkflowRun> stop, Task<WorkflowRun> completion)
{
    public WorkflowRun Stop() => stop();

    public Task<WorkflowRun> Completion => completion;

    /// <summary>For a run that is awaited in place: cancel, then wait for the engine to finish.</summary>
    public static ActiveRun ForTask(CancellationTokenSource cancellation, Task<WorkflowRun> completion) => new(() =>
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
        return completion.GetAwaiter().GetResult();
    }, completion);
}
