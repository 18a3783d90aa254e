namespace WorkflowAutomation.Platform;

/// <summary>
/// Whether a process warms up the first-run code in the background after the module is
/// imported. The daemon and its supervisor do not: they keep their memory small, and their
/// first run is not a person waiting at a prompt.
/// </summary>
public static class WarmUpSetting
{
    /// <summary>Set to 1 to skip warming up.</summary>
    public const string DisableVariable = "WORKFLOW_AUTOMATION_NO_WARMUP";

    /// <summary>Whether the environment asks to skip warming up.</summary>
    public static bool Disabled => Environment.GetEnvironmentVariable(DisableVariable) == "1";
}
