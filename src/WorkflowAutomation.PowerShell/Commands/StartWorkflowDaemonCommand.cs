using System.Management.Automation;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Dashboard;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.PowerShell.Jobs;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Starts the workflow daemon of the state directory.</summary>
/// <remarks>
/// The daemon runs submitted and scheduled workflows, checks its own health and answers the
/// other daemon cmdlets over an owner-only Unix socket (a named pipe on Windows). By default
/// it starts as a process of its own that outlives this session, watched by a supervisor that
/// restarts it after a crash (at most AUTO_RESTART_MAX_PER_HOUR times an hour); the cmdlet
/// returns once the daemon is running. -Foreground runs it in this process until it is
/// stopped (for systemd Type=simple, containers and scheduled tasks); -AsJob runs it as a
/// job of this session. One daemon per state directory: a second start is refused with the
/// process id of the one that runs. The daemon refuses a state directory that its group or
/// other users can write.
/// </remarks>
/// <example>
/// <code>Start-WorkflowDaemon</code>
/// <para>Starts a detached daemon and shows its status once it is running.</para>
/// </example>
/// <example>
/// <code>pwsh -NoProfile -Command "Import-Module WorkflowAutomation; Start-WorkflowDaemon -Foreground"</code>
/// <para>The command line of a systemd unit or a scheduled task: the daemon stops on SIGTERM.</para>
/// </example>
/// <example>
/// <code>$job = Start-WorkflowDaemon -AsJob; Receive-Job $job; Stop-Job $job</code>
/// <para>Hosts the daemon in this session as a job, reads its log lines and stops it.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "WorkflowDaemon", SupportsShouldProcess = true, DefaultParameterSetName = DetachedSet)]
[OutputType(typeof(DaemonStatus), ParameterSetName = [DetachedSet, ForegroundSet])]
[OutputType(typeof(Job), ParameterSetName = [JobSet])]
public sealed class StartWorkflowDaemonCommand : DaemonCmdlet
{
    private const string DetachedSet = "Detached";
    private const string ForegroundSet = "Foreground";
    private const string JobSet = "AsJob";
    private DaemonHost? foregroundHost;

    /// <summary>The port the dashboard listens on at 127.0.0.1; DASHBOARD_PORT from the configuration when omitted.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int DashboardPort { get; set; }

    /// <summary>Starts the daemon without a dashboard.</summary>
    [Parameter]
    public SwitchParameter NoDashboard { get; set; }

    /// <summary>Runs the daemon in this process and returns only when it stops (Ctrl+C, SIGTERM or Stop-WorkflowDaemon).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ForegroundSet)]
    public SwitchParameter Foreground { get; set; }

    /// <summary>Runs the daemon as a job of this session; Stop-Job stops it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JobSet)]
    public SwitchParameter AsJob { get; set; }

    protected override void Process()
    {
        int? port = NoDashboard ? null : MyInvocation.BoundParameters.ContainsKey(nameof(DashboardPort)) ? DashboardPort : Configuration.DashboardPort;
        if (!ShouldProcess(State.Root, "Start the workflow daemon"))
        {
            return;
        }
        switch (ParameterSetName)
        {
            case ForegroundSet:
                RunInForeground(port);
                break;
            case JobSet:
                var host = new DaemonHost(State, new DaemonHostOptions { Mode = DaemonMode.Job, DashboardPort = port, Configuration = Configuration, ScriptHost = ScriptHost(), Components = Components(port) });
                host.StartAsync(Cancellation).GetAwaiter().GetResult();
                var job = new DaemonJob(host, MyInvocation.Line);
                JobRepository.Add(job);
                WriteObject(job);
                break;
            default:
                WriteObject(StartDetachedDaemon(port, NoDashboard));
                break;
        }
    }

    private void RunInForeground(int? port)
    {
        var mode = Environment.GetEnvironmentVariable(DaemonLauncher.ModeVariable) == nameof(DaemonMode.Detached) ? DaemonMode.Detached : DaemonMode.Foreground;
        foregroundHost = new DaemonHost(State, new DaemonHostOptions
        {
            Mode = mode,
            DashboardPort = port,
            Configuration = Configuration,
            HandleTerminationSignal = true,
            ScriptHost = ScriptHost(),
            Components = Components(port),
        });
        foregroundHost.StartAsync(Cancellation).GetAwaiter().GetResult();
        if (mode == DaemonMode.Foreground)
        {
            // Detached, nobody reads it (the log says the daemon runs), and formatting it
            // would compete for the CPU with the first requests.
            WriteObject(foregroundHost.GetStatus());
        }
        foregroundHost.Completion.GetAwaiter().GetResult();
    }

    /// <summary>The dashboard, unless -NoDashboard: on DASHBOARD_BIND (loopback by default) at the port chosen.</summary>
    private IReadOnlyList<IDaemonComponent> Components(int? port) =>
        port is { } listening
            ? [new DashboardComponent(new DashboardOptions { Port = listening, Bind = Configuration.DashboardBind, ChaosResults = new ChaosResultsForDashboard(State) })]
            : [];

    /// <summary>pwsh steps run in a reused runspace of the daemon's process, not a new pwsh each.</summary>
    private RunspaceScriptHost ScriptHost() =>
        new(RunspaceScriptHost.CurrentPwsh((string)SessionState.PSVariable.GetValue("PSHOME")), State.Root);

    protected override void StopProcessing()
    {
        base.StopProcessing();
        foregroundHost?.StopAsync();
    }
}
