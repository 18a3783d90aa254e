namespace WorkflowAutomation.State;

/// <summary>What Initialize-WorkflowFramework set up.</summary>
public sealed class FrameworkInfo
{
    public required string StateDirectory { get; init; }
    public required string ConfigurationFile { get; init; }
    public required string ExampleWorkflow { get; init; }
    /// <summary>The files that did not exist before and were written now.</summary>
    public required IReadOnlyList<string> Created { get; init; }
}
