namespace WorkflowAutomation.Parallel;

/// <summary>
/// Runs script-block tasks for the parallel executor. The engine knows nothing of
/// PowerShell; the module implements this with one reused runspace per worker.
/// </summary>
/// <remarks>
/// <see cref="RunWorker"/> is called once on each worker thread and drives that worker:
/// it keeps calling <see cref="ScriptTaskFeed.MoveNext"/> (which runs command tasks itself
/// and returns only for script tasks), runs <see cref="ScriptTaskFeed.Current"/> on the
/// calling thread and reports it with <see cref="ScriptTaskFeed.Complete"/>. Driving the loop
/// from inside the host lets it pay the cost of starting a pipeline once per worker rather
/// than once per task. To stop a running script (timeout, Ctrl+C) the engine calls the
/// handler given to <see cref="ScriptTaskFeed.OnStop"/>; the host then calls
/// <see cref="ScriptTaskFeed.Stopped"/> and, unless the feed is finished, carries on.
/// </remarks>
public interface IParallelScriptHost
{
    /// <summary>Runs this worker's script tasks until <see cref="ScriptTaskFeed.MoveNext"/> returns false.</summary>
    void RunWorker(ScriptTaskFeed feed);
}
