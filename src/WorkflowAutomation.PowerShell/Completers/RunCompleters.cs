using System.Collections;
using System.Management.Automation.Language;
using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.PowerShell.Completers;

/// <summary>Completes run ids from the run store, newest first, with the workflow and status as tooltip.</summary>
public sealed class RunIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return RunStoreReader.Runs(50)
            .Where(run => run.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(run => new CompletionResult(run.Id, run.Id, CompletionResultType.ParameterValue, $"{run.Name} {run.Status} {run.StartTime:u}"));
    }
}

/// <summary>Completes workflow names that have runs in the store.</summary>
public sealed class WorkflowNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return RunStoreReader.Runs(1000)
            .Select(run => run.Name)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}

/// <summary>Reads recent runs for completion; a missing or unreadable store completes nothing.</summary>
internal static class RunStoreReader
{
    public static IReadOnlyList<Workflows.WorkflowRun> Runs(int count)
    {
        try
        {
            return new WorkflowRuns(StateDirectory.Resolve()).Find(new RunQuery { First = count, WithoutSteps = true });
        }
        catch (Exception)
        {
            // Completion must never fail the prompt (a locked or damaged database included;
            // SQLite's own exception type lives in the module's private load context).
            return [];
        }
    }
}
