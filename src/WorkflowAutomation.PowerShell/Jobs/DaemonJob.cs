using System.Management.Automation;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// A daemon hosted as a job of this session: Get-Job lists it, Receive-Job returns its status
/// and log lines, Stop-Job stops it gracefully (and returns only once it has stopped).
/// </summary>
internal sealed class DaemonJob : LocalJob
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

    /// <summary>Stops the daemon gracefully and returns once it has stopped.</summary>
    /// <remarks>
    /// A plain Job rather than a Job2: Receive-Job -AutoRemoveJob and Remove-Job remove a Job2
    /// only through a registered job source adapter, and these jobs live in the session's job
    /// repository; Stop-Job calls this method directly for a plain Job.
    /// </remarks>
    public override void StopJob()
    {
        if (IsFinishedState(JobStateInfo.State))
        {
            return;
        }
        SetJobState(JobState.Stopping);
        host.StopAsync(null).GetAwaiter().GetResult();
        SetJobState(JobState.Stopped);
    }

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
