using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes the names of hermetic environments registered in the state directory.</summary>
public sealed class HermeticEnvironmentCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        IEnumerable<HermeticRegistration> registrations;
        try
        {
            registrations = HermeticRegistration.All(new HermeticPaths(StateDirectory.Resolve().HermeticFolder)).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or WorkflowAutomation.Common.WorkflowAutomationException)
        {
            registrations = [];
        }
        return registrations
            .Where(r => r.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => new CompletionResult(r.Name, r.Name, CompletionResultType.ParameterValue, r.ManifestPath));
    }
}
