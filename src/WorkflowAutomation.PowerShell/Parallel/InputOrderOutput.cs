using System.Management.Automation;
using WorkflowAutomation.Parallel;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.PowerShell.Parallel;

/// <summary>
/// Writes the output of script-block tasks in the order their input came, as a
/// ForEach-Object user reads it: a finished task's output waits for the tasks before it.
/// A task that did not succeed writes an error record in its place.
/// </summary>
internal sealed class InputOrderOutput
{
    private readonly Dictionary<string, int> positions;
    private readonly ParallelTaskResult?[] finished;
    private readonly Cmdlet cmdlet;
    private int next;

    public InputOrderOutput(IReadOnlyList<ParallelTask> tasks, Cmdlet cmdlet)
    {
        positions = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Count; i++)
        {
            positions[tasks[i].Id] = i;
        }
        finished = new ParallelTaskResult?[tasks.Count];
        this.cmdlet = cmdlet;
    }

    /// <summary>Takes a result as it finishes (on the pipeline thread) and writes every result now due.</summary>
    public void Add(ParallelTaskResult result)
    {
        finished[positions[result.Id]] = result;
        while (next < finished.Length && finished[next] is { } due)
        {
            finished[next++] = null;
            Write(due);
        }
    }

    private void Write(ParallelTaskResult result)
    {
        foreach (var item in result.Output)
        {
            cmdlet.WriteObject(item);
        }
        if (!result.Succeeded)
        {
            var message = $"Input #{positions[result.Id] + 1} {result.Status}: {result.Error}".TrimEnd(' ', ':');
            var category = result.Status == ParallelTaskStatus.TimedOut ? ErrorCategory.OperationTimeout : ErrorCategory.NotSpecified;
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.ParallelTaskFailed, category, result));
        }
    }
}
