using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using WorkflowAutomation.Parallel;
using Pipeline = System.Management.Automation.PowerShell;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// Runs the parallel executor's script-block tasks in reused runspaces (the throughput
/// path; pwsh workflow steps use <see cref="RunspaceScriptHost"/>): each worker borrows one runspace for the
/// whole batch and runs its tasks through one long-lived pipeline on the worker's own
/// thread, so a task costs a script block invocation, not a runspace (ForEach-Object
/// -Parallel) nor a pipeline start (a RunspacePool's BeginInvoke). Runspaces go back to a
/// process-wide pool for the next batch.
/// </summary>
internal sealed class WorkerRunspaceHost : IParallelScriptHost
{
    public static readonly WorkerRunspaceHost Shared = new();

    // Enough for any sensible throttle limit; beyond it, runspaces are closed after the batch.
    private const int MaxIdleRunspaces = 32;

    // The loop is in C#: a PowerShell loop is compiled to IL afresh for every new pipeline.
    private const string PumpScript = "param($pump) $pump.RunAll()";

    private readonly ConcurrentBag<Runspace> idle = [];

    public void RunWorker(ScriptTaskFeed feed)
    {
        var runspace = Rent();
        try
        {
            var pump = new ScriptPump(feed);
            if (feed.WorkingDirectory is { Length: > 0 } folder)
            {
                RunspaceLocation.MoveTo(runspace, folder);
            }
            while (!feed.Finished)
            {
                using var pipeline = Pipeline.Create();
                pipeline.Runspace = runspace;
                pipeline.Streams.Error = pump.Errors;
                pipeline.AddScript(PumpScript, useLocalScope: true).AddArgument(pump);
                feed.OnStop(() => pipeline.BeginStop(null, null));
                try
                {
                    pipeline.Invoke();
                }
                catch (PipelineStoppedException)
                {
                    // A timeout or Ctrl+C stopped the running task; Stopped() below reports it.
                }
                // A pipeline that fails before taking a task would fail again: that exception
                // propagates instead, and the engine reports this worker's tasks as failed.
                catch (RuntimeException exception) when (feed.HasCurrent)
                {
                    feed.Complete([], exception.Message);
                }
                finally
                {
                    feed.OnStop(null);
                }
                feed.Stopped();
            }
        }
        finally
        {
            Return(runspace);
        }
    }

    private Runspace Rent()
    {
        while (idle.TryTake(out var runspace))
        {
            if (runspace.RunspaceStateInfo.State == RunspaceState.Opened)
            {
                return runspace;
            }
            runspace.Dispose();
        }
        var created = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        // Pipelines run on the worker thread that invokes them: no thread hop per task.
        created.ThreadOptions = PSThreadOptions.UseCurrentThread;
        created.Open();
        return created;
    }

    private void Return(Runspace runspace)
    {
        if (runspace.RunspaceStateInfo.State == RunspaceState.Opened && idle.Count < MaxIdleRunspaces)
        {
            idle.Add(runspace);
        }
        else
        {
            runspace.Dispose();
        }
    }
}
