using System.Collections.Concurrent;
using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// A cmdlet may write only from its pipeline thread, while a workflow runs on others: work
/// posted here runs on the pipeline thread, which pumps until the workflow is done.
/// </summary>
internal sealed class PipelinePump
{
    private readonly BlockingCollection<Action> queue = new();
    private bool stopped;

    public void Post(Action action)
    {
        try
        {
            queue.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The pump has finished: late output is still in the run store.
        }
    }

    /// <summary>Runs a function on the pipeline thread and waits for its result.</summary>
    public Task<T> Invoke<T>(Func<T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                result.TrySetResult(function());
            }
            catch (Exception exception)
            {
                result.TrySetException(exception);
            }
        });
        return result.Task;
    }

    /// <summary>Pumps posted work until <paramref name="work"/> is done and returns its result.</summary>
    public T Run<T>(Task<T> work)
    {
        work.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
        foreach (var action in queue.GetConsumingEnumerable())
        {
            if (stopped)
            {
                continue;
            }
            try
            {
                action();
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: keep pumping so the run can cancel, roll back and record itself.
                stopped = true;
            }
        }
        return work.GetAwaiter().GetResult();
    }
}
