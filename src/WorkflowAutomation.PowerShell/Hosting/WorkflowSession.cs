using WorkflowAutomation.Execution;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// What the workflow cmdlets share in this process: the runspace host that keeps pwsh steps
/// cheap (opened once, reused by every run). The runs in progress are in the engine's
/// <see cref="ActiveRuns"/>.
/// </summary>
internal static class WorkflowSession
{
    private static readonly object Gate = new();
    private static RunspaceScriptHost? scriptHost;

    /// <summary>
    /// A workflow with pwsh steps is about to run: the first one of the session finds its
    /// runspace opened meanwhile, on another thread, instead of opening it on the run's path.
    /// </summary>
    public static void Prepare(Workflows.WorkflowDefinition definition)
    {
        var runspaceOpen = Volatile.Read(ref scriptHost) is { HasRunspace: true };
        if (!runspaceOpen && definition.Steps.Any(step => step.Shell == Workflows.StepShell.Pwsh))
        {
            StepRunspace.PrewarmInBackground();
        }
    }

    public static IScriptHost ScriptHost(string psHome)
    {
        lock (Gate)
        {
            if (scriptHost is null)
            {
                scriptHost = new RunspaceScriptHost(RunspaceScriptHost.CurrentPwsh(psHome), Environment.CurrentDirectory);
                // Removes its private folder of step scripts when the session ends.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try
                    {
                        scriptHost.Dispose();
                    }
                    catch (Exception)
                    {
                        // The process is ending; a runspace that will not close must not stop it.
                    }
                };
            }
            return scriptHost;
        }
    }
}
