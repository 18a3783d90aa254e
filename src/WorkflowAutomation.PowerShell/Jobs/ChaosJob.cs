using System.ComponentModel;
using System.Management.Automation;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// Invoke-ChaosTest -AsJob: the fault runs in the background; Receive-Job returns the
/// ChaosResult, progress arrives as the job's progress records, and Stop-Job returns only
/// once everything touched has been reverted.
/// </summary>
internal sealed class ChaosJob : Job2
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

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Progress.Count > 0;

    public override string Location => Environment.MachineName;

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

    public override void StartJob()
    {
    }

    public override void StartJobAsync() => OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));

    public override void StopJob() => StopJob(force: false, reason: null);

    /// <summary>Blocks until the fault is reverted and the result recorded, so Stop-Job means reverted.</summary>
    public override void StopJob(bool force, string? reason)
    {
        if (completion is null)
        {
            return;
        }
        if (!completion.IsCompleted)
        {
            SetJobState(JobState.Stopping);
            cancellation.Cancel();
        }
        try
        {
            completion.Wait();
        }
        catch (AggregateException)
        {
            // Recorded by Finish.
        }
        SpinWait.SpinUntil(() => JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed, TimeSpan.FromSeconds(10));
    }

    public override void StopJobAsync() => StopJobAsync(force: false, reason: null);

    public override void StopJobAsync(bool force, string? reason) => Task.Run(() =>
    {
        StopJob(force, reason);
        OnStopJobCompleted(new AsyncCompletedEventArgs(null, false, null));
    });

    public override void SuspendJob() => throw new NotSupportedException("A chaos test cannot be suspended; stop it with Stop-Job (everything is reverted).");

    public override void SuspendJobAsync() => SuspendJob();

    public override void SuspendJob(bool force, string? reason) => SuspendJob();

    public override void SuspendJobAsync(bool force, string? reason) => SuspendJob();

    public override void ResumeJob() => throw new NotSupportedException("A chaos test cannot be suspended or resumed.");

    public override void ResumeJobAsync() => ResumeJob();

    public override void UnblockJob() => throw new NotSupportedException("A chaos test job never blocks.");

    public override void UnblockJobAsync() => UnblockJob();

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
