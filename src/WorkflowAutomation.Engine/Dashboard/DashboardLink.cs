using System.Diagnostics;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Dashboard;

/// <summary>The address Open-WorkflowDashboard opens, and opening it in the user's browser.</summary>
public static class DashboardLink
{
    /// <summary>The dashboard's URL with the token (the page trades it for a cookie at once), at a run's page when one is named.</summary>
    public static string Build(DaemonStatus status, DaemonPaths paths, string? runId = null)
    {
        if (status.State != DaemonState.Running)
        {
            throw new WorkflowAutomationException(ErrorIds.DashboardNotRunning, ErrorKind.ResourceUnavailable,
                "No daemon runs on this state directory, so no dashboard does. Start one with Start-WorkflowDaemon.");
        }
        if (status.DashboardUrl is not { } url)
        {
            var reason = status.DashboardPort is null
                ? "the daemon was started with -NoDashboard. Restart it without that switch"
                : $"it is not listening on port {status.DashboardPort}: {string.Join("; ", status.HealthReasons)}";
            throw new WorkflowAutomationException(ErrorIds.DashboardNotRunning, ErrorKind.ResourceUnavailable, $"The daemon runs without a dashboard: {reason}.");
        }
        var token = DaemonToken.Read(paths) ?? throw new WorkflowAutomationException(ErrorIds.DashboardTokenMissing, ErrorKind.ObjectNotFound,
            $"The dashboard's token file {paths.TokenFile} is missing; Restart-WorkflowDaemon creates it again.");
        var page = runId is null ? "" : "runs/" + Uri.EscapeDataString(runId);
        return $"{url}{page}?token={token}";
    }

    /// <summary>
    /// Opens the URL in the default browser; false where there is none to open (no desktop
    /// session on Linux, or no opener installed).
    /// </summary>
    public static bool TryOpenBrowser(string url)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                using var started = Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
                return true;
            }
            var opener = OperatingSystem.IsMacOS() ? "open" : "xdg-open";
            if (OperatingSystem.IsLinux() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
            {
                return false;
            }
            var info = new ProcessStartInfo(opener) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(url);
            using var process = Process.Start(info);
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
