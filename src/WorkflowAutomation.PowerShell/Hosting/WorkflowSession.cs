using System.Collections.Concurrent;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// What the workflow cmdlets share in this process: the runspace host that keeps pwsh steps
/// cheap (opened once, reused by every run), and the runs in progress so Stop-WorkflowRun
/// can reach them.
/// </summary>
internal static class WorkflowSession
{
    private static readonly object Gate = new();
    private static RunspaceScriptHost? scriptHost;
    private static readonly ConcurrentDictionary<string, ActiveRun> Active = new(StringComparer.OrdinalIgnoreCase);

    public static IScriptHost ScriptHost(string psHome)
    {
        lock (Gate)
        {
            if (scriptHost is null)
            {
                scriptHost = new RunspaceScriptHost(RunspaceScriptHost.CurrentPwsh(psHome), Environment.CurrentDirectory);
                // Removes its private folder of step scripts when the session ends.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try
                    {
                        scriptHost.Dispose();
                    }
                    catch (Exception)
                    {
                        // The process is ending; a runspace that will not close must not stop it.
                    }
                };
            }
            return scriptHost;
        }
    }

    public static void Register(string runId, ActiveRun run) => Active[runId] = run;

    public static void Unregister(string runId) => Active.TryRemove(runId, out _);

    public static ActiveRun? Find(string runId) => Active.TryGetValue(runId, out var run) ? run : null;

    public static IReadOnlyCollection<string> ActiveIds => Active.Keys.ToList();
}

/// <summary>A run in progress in this session, and how to stop it.</summary>
/// <param name="stop">Cancels the run and blocks until it has stopped, rolled back and been recorded.</param>
internal sealed class ActiveRun(Func<WorkflowRun> stop)
{
    public WorkflowRun Stop() => stop();

    /// <summary>For a run this cmdlet waits on: cancel, then wait for the engine to finish.</summary>
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
    });
}
