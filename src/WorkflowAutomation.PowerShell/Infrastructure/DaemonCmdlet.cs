using WorkflowAutomation.Facades;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>A cmdlet that talks to the daemon of the state directory through <see cref="WorkflowDaemon"/>; Ctrl+C cancels the wait.</summary>
public abstract class DaemonCmdlet : WorkflowCmdlet
{
    /// <summary>The daemon of this state directory.</summary>
    protected WorkflowDaemon Daemon => new(State, Configuration);

    /// <summary>Settings to start this module in a new pwsh: $PSHOME/pwsh and this module's manifest.</summary>
    protected DaemonLaunchSettings LaunchSettings(int? dashboardPort, bool noDashboard) => LaunchSettings(this, dashboardPort, noDashboard);

    /// <summary>Settings to start this module in a new pwsh, for any cmdlet that starts a daemon (the chaos suite's scratch one too).</summary>
    internal static DaemonLaunchSettings LaunchSettings(System.Management.Automation.PSCmdlet cmdlet, int? dashboardPort, bool noDashboard)
    {
        var psHome = (string)cmdlet.SessionState.PSVariable.GetValue("PSHOME");
        var manifest = cmdlet.MyInvocation.MyCommand.Module?.Path is { } path && path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)
            ? path
            : Path.Combine(Path.GetDirectoryName(typeof(DaemonCmdlet).Assembly.Location)!, "WorkflowAutomation.psd1");
        return new DaemonLaunchSettings
        {
            PwshPath = Path.Combine(psHome, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh"),
            ModuleManifest = manifest,
            DashboardPort = dashboardPort,
            NoDashboard = noDashboard,
        };
    }

    /// <summary>Starts a detached daemon and its supervisor; returns once the daemon is running.</summary>
    protected DaemonStatus StartDetachedDaemon(int? dashboardPort, bool noDashboard)
    {
        var settings = LaunchSettings(dashboardPort, noDashboard);
        WriteVerbose($"Starting {settings.PwshPath} with {settings.ModuleManifest}");
        return Daemon.StartDetached(settings, Cancellation);
    }

    /// <summary>The daemon's status; Stopped (or Starting/Stopping while another process holds the lock) when none answers.</summary>
    protected DaemonStatus CurrentStatus() => Daemon.Status(Cancellation);
}
