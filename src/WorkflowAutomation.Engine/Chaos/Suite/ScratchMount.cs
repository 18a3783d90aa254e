using System.Globalization;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>The suite's scratch state directory on a small tmpfs of its own, so that filling it fills nothing else.</summary>
internal static class ScratchMount
{
    /// <summary>Mounts a tmpfs of the given size (owner-only) on an empty folder; needs root (or a user namespace).</summary>
    public static void Mount(string folder, int megaBytes) =>
        HostCommand.RunChecked("mount", "-t", "tmpfs", "-o", $"size={megaBytes.ToString(CultureInfo.InvariantCulture)}m,mode=0700", "wa-chaos-suite", folder);

    /// <summary>Whether a folder is a mount point of its own (its device differs from its parent's).</summary>
    public static bool IsMounted(string folder) =>
        File.Exists("/proc/self/mounts") && File.ReadLines("/proc/self/mounts")
            .Select(line => line.Split(' '))
            .Any(fields => fields.Length > 1 && fields[1].Replace("\\040", " ", StringComparison.Ordinal) == Path.TrimEndingDirectorySeparator(folder));

    /// <summary>Unmounts the scratch tmpfs (lazily when something still holds it open); says what was done.</summary>
    public static string Unmount(string folder)
    {
        if (!IsMounted(folder))
        {
            return "not mounted";
        }
        var (code, _, error) = HostCommand.Run("umount", [folder]);
        if (code != 0)
        {
            // A process that dies a moment later may still hold a file open: detach now, freed when it closes.
            HostCommand.RunChecked("umount", "-l", folder);
            return $"unmounted lazily ({error.Trim()})";
        }
        return "unmounted";
    }

    /// <summary>
    /// Kills the supervisor, then the daemon, of a scratch state directory (from their pid
    /// files), then any process still running with that state directory (a step of a killed daemon).
    /// </summary>
    public static string KillDaemon(string stateRoot)
    {
        var paths = new DaemonPaths(new StateDirectory(stateRoot));
        var supervisor = DaemonLauncher.Kill(paths.SupervisorPidFile);
        var daemon = DaemonLauncher.Kill(paths.PidFile);
        var others = 0;
        foreach (var pid in ProcessesOf(stateRoot))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
                others++;
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }
        return supervisor || daemon || others > 0 ? "killed" : "nothing was running";
    }

    /// <summary>Processes other than this one whose environment names the scratch state directory.</summary>
    private static IEnumerable<int> ProcessesOf(string stateRoot)
    {
        if (!Directory.Exists("/proc"))
        {
            yield break;
        }
        var marker = $"{StateDirectory.HomeVariable}={stateRoot}";
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            string environ;
            try
            {
                environ = File.ReadAllText(Path.Combine(folder, "environ"));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (environ.Split('\0').Contains(marker, StringComparer.Ordinal))
            {
                yield return pid;
            }
        }
    }
}
