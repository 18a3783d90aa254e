using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// Where the detached supervisor's pwsh enters the engine. It lives in the cmdlet assembly,
/// which PowerShell's type literals can see; the engine's own types are in the module's
/// private load context and cannot be named from a script.
/// </summary>
public static class SupervisorEntry
{
    public static void Run(string pwshPath, string moduleManifest, int? dashboardPort, bool noDashboard) =>
        DaemonSupervisor.Run(pwshPath, moduleManifest, dashboardPort, noDashboard);
}
