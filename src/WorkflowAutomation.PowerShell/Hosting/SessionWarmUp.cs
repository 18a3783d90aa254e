using WorkflowAutomation.Facades;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// After the module is imported, opens the pwsh step runspace and runs the engine's first-run
/// code on a background thread, once per process, so that a session's first workflow finds
/// them ready. Nothing it does is visible: no file, no process, no output. Skipped where
/// <see cref="WarmUpSetting.DisableVariable"/> is 1 (the daemon and its supervisor).
/// </summary>
internal static class SessionWarmUp
{
    private static int started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 1)
        {
            return;
        }
        // Not on the importing thread: import stays as quick as the manifest allows.
        new Thread(Run) { IsBackground = true, Name = "WorkflowAutomation warm-up" }.Start();
    }

    private static void Run()
    {
        try
        {
            if (WarmUpSetting.Disabled)
            {
                return;
            }
            StepRunspace.Prewarm();
            EngineWarmUp.Run();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Warming up only saves time: whatever fails here fails again, and is reported, where it is needed.
        }
    }
}
