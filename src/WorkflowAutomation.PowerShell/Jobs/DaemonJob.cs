using System.Management.Automation;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// A daemon hosted as a job of this session: Get-Job lists it, Receive-Job returns its status
/// and log lines, Stop-Job stops it gracefully (and returns only once it has stopped).
/// </summary>
internal sealed class DaemonJob : Job2
{
    private readonly DaemonHost host;

    public DaemonJob(DaemonHost host, string command)
        : base(command, "WorkflowDaemon")
    {
        this.host = host;
        PSJobTypeName = "WorkflowDaemonJob";
        host.Log.Written += line => Information.Add(new InformationRecord(line, "WorkflowDaemon"));
        Output.Add(PSObject.AsPSObject(host.GetStatus()));
        SetJobState(JobState.Running);
        host.Completion.ContinueWith(_ =>
        {
            if (!IsFinishedState(JobStateInfo.State))
            {
                SetJobState(JobState.Completed);
            }
        }, TaskScheduler.Default);
    }

    public override string StatusMessage => host.Lifecycle.ToString();

    public override bool HasMoreData => Output.Count > 0 || Information.Count > 0 || Error.Count > 0;

    public override string Location => Environment.MachineName;

    public override void StartJob()
    {
    }

    public override void StartJobAsync() => OnStartJobCompleted(new System.ComponentModel.AsyncCompletedEventArgs(null, false, null));

    public override void StopJob() => StopJob(force: false, reason: null);

    public override void StopJob(bool force, string? reason)
    {
        if (IsFinishedState(JobStateInfo.State))
        {
            return;
        }
        SetJobState(JobState.Stopping);
        host.StopAsync(force ? TimeSpan.Zero : null).GetAwaiter().GetResult();
        SetJobState(JobState.Stopped);
    }

    public override void StopJobAsync() => StopJobAsync(force: false, reason: null);

    public override void StopJobAsync(bool force, string? reason) => Task.Run(() =>
    {
        StopJob(force, reason);
        OnStopJobCompleted(new System.ComponentModel.AsyncCompletedEventArgs(null, false, null));
    });

    public override void SuspendJob() => throw new NotSupportedException("A daemon job cannot be suspended; stop it with Stop-Job.");

    public override void SuspendJobAsync() => SuspendJob();

    public override void SuspendJob(bool force, string? reason) => SuspendJob();

    public override void SuspendJobAsync(bool force, string? reason) => SuspendJob();

    public override void ResumeJob() => throw new NotSupportedException("A daemon job cannot be suspended or resumed.");

    public override void ResumeJobAsync() => ResumeJob();

    public override void UnblockJob() => throw new NotSupportedException("A daemon job never blocks.");

    public override void UnblockJobAsync() => UnblockJob();

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
        }
        base.Dispose(disposing);
    }
}
