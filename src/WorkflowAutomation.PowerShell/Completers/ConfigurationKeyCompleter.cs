using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using WorkflowAutomation.Configuration;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes configuration key names.</summary>
public sealed class ConfigurationKeyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ConfigurationKeys.All
            .Where(key => key.Name.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(key => new CompletionResult(key.Name, key.Name, CompletionResultType.ParameterValue, key.Description));
}
