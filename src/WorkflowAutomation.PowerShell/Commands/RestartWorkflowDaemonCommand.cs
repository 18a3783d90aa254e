using System.Management.Automation;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Stops the workflow daemon gracefully and starts it again, detached.</summary>
/// <remarks>
/// Running steps get the grace period to finish; what they did not finish goes on after the
/// restart, and queued runs stay queued. The new daemon runs as a process of its own with a
/// supervisor, as Start-WorkflowDaemon starts it. Under systemd, use systemctl restart instead.
/// </remarks>
/// <example>
/// <code>Restart-WorkflowDaemon</code>
/// <para>Picks up a new configuration or module version.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Restart, "WorkflowDaemon", SupportsShouldProcess = true)]
[OutputType(typeof(DaemonStatus))]
public sealed class RestartWorkflowDaemonCommand : DaemonCmdlet
{
    /// <summary>The dashboard port of the new daemon; DASHBOARD_PORT from the configuration when omitted.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int DashboardPort { get; set; }

    /// <summary>Starts the new daemon without a dashboard.</summary>
    [Parameter]
    public SwitchParameter NoDashboard { get; set; }

    /// <summary>Seconds running steps may go on before they are interrupted. The default is 30.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int GracePeriod { get; set; } = 30;

    protected override void Process()
    {
        if (!ShouldProcess(State.Root, "Restart the workflow daemon"))
        {
            return;
        }
        var daemon = Daemon;
        if (daemon.IsRunning())
        {
            daemon.Stop(TimeSpan.FromSeconds(GracePeriod), force: false, Cancellation);
        }
        int? port = NoDashboard ? null : MyInvocation.BoundParameters.ContainsKey(nameof(DashboardPort)) ? DashboardPort : Configuration.DashboardPort;
        WriteObject(StartDetachedDaemon(port, NoDashboard));
    }
}
