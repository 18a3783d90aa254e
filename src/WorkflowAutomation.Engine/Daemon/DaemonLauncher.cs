using System.Diagnostics;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>What a detached daemon or its supervisor is started with.</summary>
public sealed class DaemonLaunchSettings
{
    /// <summary>The pwsh executable ($PSHOME/pwsh).</summary>
    public required string PwshPath { get; init; }

    /// <summary>The module manifest the new process imports.</summary>
    public required string ModuleManifest { get; init; }

    public int? DashboardPort { get; init; }

    public bool NoDashboard { get; init; }

    /// <summary>Variables set for the daemon and its supervisor on top of this process's environment (a scratch daemon's settings).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Starts daemons and supervisors as processes of their own that outlive the session
/// (setsid on Unix, so no terminal hang-up reaches them), and waits for them.
/// </summary>
public static class DaemonLauncher
{
    /// <summary>Tells Start-WorkflowDaemon -Foreground that it runs detached (for Get-WorkflowDaemon's Mode).</summary>
    public const string ModeVariable = "WORKFLOW_AUTOMATION_DAEMON_MODE";

    /// <summary>Refuses early, with the right error, what the new process would refuse anyway.</summary>
    public static void EnsureCanStart(DaemonPaths paths)
    {
        foreach (var folder in new[] { paths.State.Root, paths.Folder })
        {
            if (Directory.Exists(folder) && OwnerOnly.IsWritableByOthers(folder))
            {
                throw new StateDirectoryInsecureException(folder);
            }
        }
        if (InstanceLock.IsHeld(paths) && !WaitForDyingHolder(paths))
        {
            throw new DaemonAlreadyRunningException(paths.State.Root, DaemonPaths.ReadPid(paths.PidFile));
        }
    }

    /// <summary>
    /// A daemon just killed (kill -9) holds its lock until the kernel has torn the process
    /// down. When no daemon answers on the socket, wait a little for the lock to come free
    /// rather than refusing a restart that would succeed a moment later.
    /// </summary>
    private static bool WaitForDyingHolder(DaemonPaths paths)
    {
        var clock = Stopwatch.StartNew();
        var answers = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            // A process being killed may still answer for a moment: only a daemon that keeps
            // answering is really running.
            if (DaemonClient.TryConnect(paths.State) is { } client)
            {
                client.Dispose();
                if (++answers >= 4)
                {
                    return false;
                }
            }
            if (!InstanceLock.IsHeld(paths))
            {
                return true;
            }
            Thread.Sleep(100);
        }
        return false;
    }

    /// <summary>
    /// Starts <c>pwsh -Command "Import-Module …; Start-WorkflowDaemon -Foreground"</c> detached.
    /// It imports the module's assembly rather than its manifest: a daemon formats nothing, and
    /// the manifest's format files cost it start time and memory.
    /// </summary>
    public static Process StartDaemon(DaemonPaths paths, DaemonLaunchSettings settings)
    {
        var arguments = settings.NoDashboard ? " -NoDashboard"
            : settings.DashboardPort is { } port ? " -DashboardPort " + port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "";
        var environment = new Dictionary<string, string?> { [ModeVariable] = nameof(DaemonMode.Detached) };
        DaemonRuntimeSettings.AddTo(environment);
        return StartDetached(paths, settings, $"Import-Module {Quote(ModuleAssembly(settings.ModuleManifest))}; Start-WorkflowDaemon -Foreground{arguments}", environment);
    }

    /// <summary>Starts the supervisor that restarts the daemon if it crashes.</summary>
    public static Process StartSupervisor(DaemonPaths paths, DaemonLaunchSettings settings)
    {
        var port = settings.DashboardPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "$null";
        var noDashboard = settings.NoDashboard ? "$true" : "$false";
        var process = StartDetached(paths, settings,
            $"Import-Module {Quote(settings.ModuleManifest)}; [WorkflowAutomation.PowerShell.Hosting.SupervisorEntry]::Run({Quote(settings.PwshPath)}, {Quote(settings.ModuleManifest)}, {port}, {noDashboard})",
            new Dictionary<string, string?>());
        // Written now (the supervisor writes the same once it runs): a Stop-WorkflowDaemon -Force
        // in the second the new pwsh takes to start still finds it, and it does not live on to
        // watch whatever daemon is started next.
        OwnerOnly.WriteAllText(paths.SupervisorPidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return process;
    }

    private static Process StartDetached(DaemonPaths paths, DaemonLaunchSettings settings, string script, IReadOnlyDictionary<string, string?> environment)
    {
        paths.EnsureFolders();
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo(settings.PwshPath) { CreateNoWindow = true };
        }
        else
        {
            // sh redirects the standard streams to a file so that nothing of the caller (a
            // test runner's pipe, a terminal) stays attached, then setsid (or nohup) execs pwsh
            // in a session of its own with the same pid.
            var detach = File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid") ? "setsid" : "nohup";
            start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            // umask 077: whatever the processes create from here on is owner-only.
            ConsoleLog.Prepare(paths.ConsoleLogFile);
            start.ArgumentList.Add($"umask 077; exec {detach} \"$0\" \"$@\" </dev/null >>\"$WORKFLOW_AUTOMATION_CONSOLE_LOG\" 2>&1");
            start.ArgumentList.Add(settings.PwshPath);
            start.Environment["WORKFLOW_AUTOMATION_CONSOLE_LOG"] = paths.ConsoleLogFile;
        }
        foreach (var argument in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
        {
            start.ArgumentList.Add(argument);
        }
        start.UseShellExecute = false;
        start.WorkingDirectory = paths.State.Root;
        foreach (var (name, value) in settings.Environment)
        {
            start.Environment[name] = value;
        }
        start.Environment[StateDirectory.HomeVariable] = paths.State.Root;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start) ?? throw new DaemonStartFailedException($"{settings.PwshPath} could not be started.");
    }

    /// <summary>Waits until the daemon answers as Running; reports why if its process ends first.</summary>
    public static DaemonStatus WaitUntilRunning(DaemonPaths paths, Process? process, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            cancellation.ThrowIfCancellationRequested();
            if (DaemonClient.TryConnect(paths.State) is { } client)
            {
                using (client)
                {
                    try
                    {
                        // Answered the moment the daemon runs (a daemon of an older version answers at once).
                        var status = client.Send<DaemonStatus>(DaemonOperations.Status,
                            new StatusRequest { WaitUntilRunningSeconds = Math.Clamp((timeout - clock.Elapsed).TotalSeconds, 0.001, 5) }, cancellation);
                        if (status is { State: DaemonState.Running })
                        {
                            return status;
                        }
                    }
                    catch (DaemonNotRunningException)
                    {
                        // Still binding its socket, or already going away: look again.
                    }
                }
            }
            if (process is { HasExited: true } && !InstanceLock.IsHeld(paths))
            {
                throw new DaemonStartFailedException(
                    $"The daemon process ended (exit code {process.ExitCode}) before it was running. {Tail(paths.ConsoleLogFile)}{Tail(paths.LogFile)}".Trim());
            }
            Thread.Sleep(10);
        }
        throw new DaemonTimeoutException($"The daemon did not become ready within {timeout.TotalSeconds:0} s. See {paths.LogFile}.");
    }

    /// <summary>
    /// Stops the daemon: asks it through <paramref name="client"/> (when one is connected) to
    /// stop, giving running steps <paramref name="grace"/>, and waits until it has gone. With
    /// <paramref name="force"/> the supervisor is killed first, so that it cannot restart what
    /// is being stopped, and a daemon that does not stop in time is killed.
    /// </summary>
    public static void Stop(DaemonPaths paths, Ipc.DaemonClient? client, TimeSpan grace, bool force, CancellationToken cancellation)
    {
        var pid = DaemonPaths.ReadPid(paths.PidFile);
        if (force)
        {
            Kill(paths.SupervisorPidFile);
        }
        try
        {
            client?.Send<DaemonStatus>(Ipc.DaemonOperations.Stop, new Ipc.StopRequest { GraceSeconds = (int)grace.TotalSeconds }, cancellation);
        }
        catch (DaemonNotRunningException)
        {
            // It went away by itself meanwhile.
        }
        var patience = grace + TimeSpan.FromSeconds(force ? 10 : 30);
        if (!WaitUntilStopped(paths, patience, cancellation)
            && (!force || !Kill(paths.PidFile) || !WaitUntilStopped(paths, TimeSpan.FromSeconds(10), cancellation)))
        {
            throw new DaemonTimeoutException(
                $"The daemon (process {pid}) did not stop within {patience.TotalSeconds:0} s and was left as it is. Use Stop-WorkflowDaemon -Force to kill it.");
        }
        WaitForExit(pid, TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until no daemon holds the state directory.</summary>
    public static bool WaitUntilStopped(DaemonPaths paths, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (InstanceLock.IsHeld(paths))
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            cancellation.ThrowIfCancellationRequested();
            Thread.Sleep(25);
        }
        return true;
    }

    /// <summary>Waits for a daemon process to end after it released the state directory (it still closes down for a moment).</summary>
    public static void WaitForExit(int? pid, TimeSpan timeout)
    {
        if (pid is not { } id || id == Environment.ProcessId)
        {
            return;
        }
        try
        {
            using var process = Process.GetProcessById(id);
            process.WaitForExit(timeout);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills a process by the id in a pid file (after a failed graceful stop).</summary>
    public static bool Kill(string pidFile)
    {
        if (DaemonPaths.ReadPid(pidFile) is not { } pid || pid == Environment.ProcessId)
        {
            return false;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(5000);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Tail(string file)
    {
        try
        {
            var lines = File.Exists(file) ? File.ReadAllLines(file).TakeLast(5).ToArray() : [];
            return lines.Length == 0 ? "" : $"Last lines of {file}: {string.Join(" | ", lines)} ";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The module's root assembly, next to its manifest (the manifest itself when it is not there).</summary>
    private static string ModuleAssembly(string manifest)
    {
        var assembly = Path.Combine(Path.GetDirectoryName(manifest) ?? ".", "WorkflowAutomation.PowerShell.dll");
        return File.Exists(assembly) ? assembly : manifest;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
