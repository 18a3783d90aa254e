using System.Management.Automation;
using WorkflowAutomation.Hermetic;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>What the Hermetic cmdlets share: the engine service and progress bars.</summary>
public abstract class HermeticCmdlet : WorkflowCmdlet
{
    private HermeticService? service;

    /// <summary>The engine, with the pwsh of this session for PowerShell modules and wrappers.</summary>
    protected HermeticService Service => service ??= new HermeticService(State.HermeticFolder, new HostTools(pwsh: SessionPwsh()));

    /// <summary>Progress from the engine, written as a progress bar (the engine calls back on this thread).</summary>
    protected void Progress(HermeticProgress progress) =>
        WriteProgress(new ProgressRecord(1, progress.Activity, progress.Status) { PercentComplete = Math.Clamp(progress.PercentComplete, 0, 100) });

    protected void CompleteProgress(string activity) =>
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });

    private string? SessionPwsh()
    {
        var home = SessionState.PSVariable.GetValue("PSHOME") as string;
        var pwsh = home is null ? null : Path.Combine(home, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        return pwsh is not null && File.Exists(pwsh) ? pwsh : null;
    }
}
