using System.Management.Automation;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Stops the workflow daemon of the state directory.</summary>
/// <remarks>
/// A graceful stop lets running steps finish within the grace period; steps still running
/// then are recorded as Interrupted, and their runs go on when the daemon starts again.
/// Queued runs stay queued. -Force gives no grace period, stops the supervisor, and kills
/// the daemon process if it does not answer. When no daemon runs, the error
/// DaemonNotRunning says so.
/// </remarks>
/// <example>
/// <code>Stop-WorkflowDaemon</code>
/// <para>Stops the daemon, letting running steps finish for up to 30 seconds.</para>
/// </example>
/// <example>
/// <code>Stop-WorkflowDaemon -Force</code>
/// <para>Stops it now, killing the process if it does not answer.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "WorkflowDaemon", SupportsShouldProcess = true)]
[OutputType(typeof(DaemonStatus))]
public sealed class StopWorkflowDaemonCommand : DaemonCmdlet
{
    /// <summary>Seconds running steps may go on before they are interrupted. The default is 30.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int GracePeriod { get; set; } = 30;

    /// <summary>No grace period; kills the daemon if it does not stop.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the daemon's final status.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var daemon = Daemon;
        if (!daemon.IsRunning())
        {
            WriteItemError(new DaemonNotRunningException(State.Root), State.Root);
            return;
        }
        if (!ShouldProcess(State.Root, "Stop the workflow daemon"))
        {
            return;
        }
        daemon.Stop(TimeSpan.FromSeconds(GracePeriod), Force, Cancellation);
        if (PassThru)
        {
            WriteObject(CurrentStatus());
        }
    }
}
