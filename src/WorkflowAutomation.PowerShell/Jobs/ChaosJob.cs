using System.Management.Automation;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// Invoke-ChaosTest -AsJob: the fault runs in the background; Receive-Job returns the
/// ChaosResult, progress arrives as the job's progress records, and Stop-Job returns only
/// once everything touched has been reverted.
/// </summary>
internal sealed class ChaosJob : LocalJob
{
    private readonly Func<Action<ChaosProgress>, CancellationToken, Task<ChaosResult>> work;
    private readonly CancellationTokenSource cancellation = new();
    private Task<ChaosResult>? completion;

    public ChaosJob(string command, string name, Func<Action<ChaosProgress>, CancellationToken, Task<ChaosResult>> work)
        : base(command, name)
    {
        this.work = work;
        PSJobTypeName = "ChaosJob";
    }

    public override string StatusMessage => JobStateInfo.State.ToString();

    public void Start()
    {
        SetJobState(JobState.Running);
        completion = Task.Run(() => work(progress => Progress.Add(ChaosProgressRecord.From(progress)), cancellation.Token));
        completion.ContinueWith(Finish, TaskScheduler.Default);
    }

    private void Finish(Task<ChaosResult> task)
    {
        if (task.IsFaulted)
        {
            Error.Add(ErrorRecords.From(task.Exception!.GetBaseException(), null));
            SetJobState(JobState.Failed);
            return;
        }
        var result = task.Result;
        Output.Add(PSObject.AsPSObject(result));
        if (cancellation.IsCancellationRequested)
        {
            SetJobState(JobState.Stopped);
            return;
        }
        if (result.Verdict != ChaosVerdict.Passed)
        {
            Error.Add(ErrorRecords.From(new ChaosTestFailedException(result), result));
            SetJobState(JobState.Failed);
            return;
        }
        SetJobState(JobState.Completed);
    }

    /// <summary>Blocks until the fault is reverted and the result recorded, so Stop-Job means reverted.</summary>
    public override void StopJob() => StopAndWait(completion, cancellation);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
            cancellation.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Progress records of a running chaos test.</summary>
internal static class ChaosProgressRecord
{
    public static ProgressRecord From(ChaosProgress progress)
    {
        var percent = progress.Duration > TimeSpan.Zero
            ? (int)Math.Clamp(100 * progress.Elapsed.TotalSeconds / progress.Duration.TotalSeconds, 0, 100)
            : -1;
        var remaining = progress.Duration - progress.Elapsed;
        return new ProgressRecord(1, progress.Activity, string.IsNullOrEmpty(progress.Status) ? "running" : progress.Status)
        {
            PercentComplete = percent,
            SecondsRemaining = remaining > TimeSpan.Zero ? (int)remaining.TotalSeconds : 0,
        };
    }
}
