using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes circuit breaker names ('&lt;workflow&gt;/&lt;step&gt;', 'workflow:&lt;name&gt;') from the daemon's database, with the state as tooltip.</summary>
public sealed class CircuitBreakerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return Breakers()
            .Where(breaker => breaker.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(breaker => new CompletionResult(Quote(breaker.Name), breaker.Name, CompletionResultType.ParameterValue,
                $"{breaker.State}, {breaker.Failures} failure(s){(breaker.Command is { } command ? ": " + command : "")}"));
    }

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"`$(){};,&|@#<>".Contains(c)) ? "'" + name.Replace("'", "''") + "'" : name;

    private static IReadOnlyList<CircuitBreakerInfo> Breakers()
    {
        try
        {
            var state = StateDirectory.Resolve();
            // Completing must not create the daemon's database.
            if (!File.Exists(new DaemonPaths(state).Database))
            {
                return [];
            }
            return new CircuitBreakers(state, WorkflowConfiguration.Load(state)).List();
        }
        catch (Exception)
        {
            // Completion must never fail the prompt (a locked or damaged database included).
            return [];
        }
    }
}
