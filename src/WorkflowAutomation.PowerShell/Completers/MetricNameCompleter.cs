using System.Collections;
using System.Management.Automation.Language;
using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes metric names from the series stored in the state directory's metrics.db.</summary>
public sealed class MetricNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<string> names;
        try
        {
            names = new WorkflowMetrics(StateDirectory.Resolve()).Names();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Completion must never throw at the user; no store means no suggestions.
            return [];
        }
        var word = wordToComplete.Trim('\'', '"');
        var matches = Wildcard.Matcher(word.EndsWith('*') ? word : word + "*");
        return names.Where(matches).Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}

/// <summary>Completes -Resolution with the labels users type (Raw, 1m … 1d).</summary>
public sealed class MetricResolutionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        MetricResolutionTransformationAttribute.Labels
            .Where(label => label.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(label => new CompletionResult(label, label, CompletionResultType.ParameterValue, label));
}
