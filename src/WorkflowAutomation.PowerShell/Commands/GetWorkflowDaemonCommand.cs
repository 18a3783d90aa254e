using System.Management.Automation;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets the state of the workflow daemon of the state directory.</summary>
/// <remarks>
/// Shows the lifecycle state (Stopped, Starting, Running, Cancellation), the process id, the
/// uptime, the health (Healthy, Degraded, Unhealthy) with the reason for each failing check,
/// the queue depth, the running runs, the circuit breakers that are not closed, and the
/// dashboard port. When no daemon runs the state is Stopped.
/// </remarks>
/// <example>
/// <code>Get-WorkflowDaemon</code>
/// <para>Shows whether the daemon runs and how healthy it is.</para>
/// </example>
/// <example>
/// <code>(Get-WorkflowDaemon).HealthChecks | Format-Table</code>
/// <para>Lists each health check (Database, Disk, Scheduler, Socket) with its outcome.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowDaemon")]
[OutputType(typeof(DaemonStatus))]
public sealed class GetWorkflowDaemonCommand : DaemonCmdlet
{
    protected override void Process() => WriteObject(CurrentStatus());
}
