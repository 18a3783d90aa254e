using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes folders and workflow files (*.yaml, *.yml) for -Path.</summary>
public sealed class WorkflowFileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionCompleters.CompleteFilename(wordToComplete)
            .Where(result => result.ResultType == CompletionResultType.ProviderContainer || IsWorkflowFile(result.ListItemText));

    private static bool IsWorkflowFile(string name) =>
        name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
}
