using System.Globalization;
using System.Management.Automation;
using WorkflowAutomation.Parallel;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.PowerShell.Parallel;

/// <summary>
/// Writes the output of script-block tasks in the order their input came, as a
/// ForEach-Object user reads it: a finished task's output waits for the tasks before it.
/// A task that did not succeed writes an error record in its place. Tasks are those of a
/// <see cref="ParallelTaskStream"/>, whose ids are their input positions; only results that
/// wait for an earlier one are held, so memory follows the tasks in flight, not the input.
/// </summary>
internal sealed class InputOrderOutput(Cmdlet cmdlet)
{
    private readonly Dictionary<long, ParallelTaskResult> waiting = [];
    private long next = 1;

    /// <summary>Takes a result as it finishes (on the pipeline thread) and writes every result now due.</summary>
    public void Add(ParallelTaskResult result)
    {
        waiting[long.Parse(result.Id, CultureInfo.InvariantCulture)] = result;
        while (waiting.Remove(next, out var due))
        {
            Write(due, next++);
        }
    }

    private void Write(ParallelTaskResult result, long position)
    {
        foreach (var item in result.Output)
        {
            cmdlet.WriteObject(item);
        }
        if (!result.Succeeded)
        {
            var message = $"Input #{position} {result.Status}: {result.Error}".TrimEnd(' ', ':');
            var category = result.Status == ParallelTaskStatus.TimedOut ? ErrorCategory.OperationTimeout : ErrorCategory.NotSpecified;
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.ParallelTaskFailed, category, result));
        }
    }
}
