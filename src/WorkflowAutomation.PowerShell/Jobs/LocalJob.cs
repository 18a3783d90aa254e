using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// What every job of the module shares: it runs in this process, and it has data while its
/// streams hold any. A plain <see cref="Job"/>, so Receive-Job -AutoRemoveJob and Remove-Job
/// work without a job source adapter.
/// </summary>
internal abstract class LocalJob(string command, string name) : Job(command, name)
{
    public override bool HasMoreData => Output.Count > 0 || Information.Count > 0 || Error.Count > 0;

    public override string Location => Environment.MachineName;

    /// <summary>
    /// What Stop-Job and Dispose do for a job whose work is a task: cancel it, wait for it,
    /// and return only once the job's state says it ended (the completion runs as a continuation).
    /// </summary>
    protected void StopAndWait(Task? work, CancellationTokenSource cancellation)
    {
        if (work is null)
        {
            return;
        }
        if (!work.IsCompleted)
        {
            SetJobState(JobState.Stopping);
            cancellation.Cancel();
        }
        try
        {
            work.Wait();
        }
        catch (AggregateException)
        {
            // The job's own completion records the failure.
        }
        SpinWait.SpinUntil(() => JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed, TimeSpan.FromSeconds(10));
    }
}
