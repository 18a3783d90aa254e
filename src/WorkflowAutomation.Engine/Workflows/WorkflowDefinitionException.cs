using WorkflowAutomation.Common;

namespace WorkflowAutomation.Workflows;

/// <summary>A workflow file with errors; the message lists every one as file:line:column: message.</summary>
public sealed class WorkflowDefinitionException : WorkflowAutomationException
{
    public const string Id = ErrorIds.WorkflowYamlInvalid;

    public WorkflowDefinitionException(WorkflowValidationResult result)
        : base(Id, ErrorKind.InvalidData, Describe(result))
    {
        File = result.File;
        Diagnostics = result.Diagnostics;
    }

    public string File { get; }

    public IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; }

    private static string Describe(WorkflowValidationResult result)
    {
        var errors = result.Errors.ToList();
        var count = errors.Count == 1 ? "1 error" : $"{errors.Count} errors";
        return $"The workflow file '{result.File}' has {count}; fix them and try again:"
            + string.Concat(errors.Select(error => Environment.NewLine + "  " + error));
    }
}
