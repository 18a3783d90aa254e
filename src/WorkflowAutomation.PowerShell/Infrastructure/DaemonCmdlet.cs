using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>A cmdlet that talks to the daemon of the state directory; Ctrl+C cancels the wait.</summary>
public abstract class DaemonCmdlet : WorkflowCmdlet
{
    protected DaemonPaths DaemonPaths => new(State);

    /// <summary>Connects, or throws DaemonNotRunning with how to start a daemon.</summary>
    protected DaemonClient ConnectDaemon() => DaemonClient.Connect(State);

    /// <summary>Settings to start this module in a new pwsh: $PSHOME/pwsh and this module's manifest.</summary>
    protected DaemonLaunchSettings LaunchSettings(int? dashboardPort, bool noDashboard)
    {
        var psHome = (string)SessionState.PSVariable.GetValue("PSHOME");
        var manifest = MyInvocation.MyCommand.Module?.Path is { } path && path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)
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
        var paths = DaemonPaths;
        DaemonLauncher.EnsureCanStart(paths);
        var settings = LaunchSettings(dashboardPort, noDashboard);
        WriteVerbose($"Starting {settings.PwshPath} with {settings.ModuleManifest}");
        DaemonStatus status;
        using (var process = DaemonLauncher.StartDaemon(paths, settings))
        {
            status = DaemonLauncher.WaitUntilRunning(paths, process, TimeSpan.FromSeconds(60), Cancellation);
        }
        if (Configuration.AutoRestartMaxPerHour > 0)
        {
            DaemonLauncher.StartSupervisor(paths, settings).Dispose();
        }
        return status;
    }

    /// <summary>The daemon's status; Stopped (or Starting/Stopping while another process holds the lock) when none answers.</summary>
    protected DaemonStatus CurrentStatus()
    {
        if (DaemonClient.TryConnect(State) is { } client)
        {
            using (client)
            {
                try
                {
                    return client.Send<DaemonStatus>(DaemonOperations.Status, null, Cancellation)!;
                }
                catch (DaemonNotRunningException)
                {
                    // It went away between connecting and answering.
                }
            }
        }
        var held = InstanceLock.IsHeld(DaemonPaths);
        return new DaemonStatus
        {
            State = held ? DaemonState.Starting : DaemonState.Stopped,
            ProcessId = held ? DaemonPaths.ReadPid(DaemonPaths.PidFile) : null,
            StateDirectory = State.Root,
        };
    }
}
