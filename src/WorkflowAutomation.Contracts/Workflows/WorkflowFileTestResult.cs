namespace WorkflowAutomation.Workflows;

/// <summary>Whether one workflow file of a folder is valid, as Test-WorkflowDefinition reports it per file.</summary>
public sealed class WorkflowFileTestResult
{
    /// <summary>The full path of the file.</summary>
    public required string File { get; init; }
    public required bool IsValid { get; init; }
    public required int ErrorCount { get; init; }
    public required int WarningCount { get; init; }
    /// <summary>The first error as line:column: message; null when the file is valid.</summary>
    public string? FirstError { get; init; }

    public override string ToString() => $"{File}: {(IsValid ? "valid" : $"{ErrorCount} error(s)")}";
}
