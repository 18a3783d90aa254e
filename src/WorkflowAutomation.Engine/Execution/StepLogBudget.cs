using System.Text;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Bounds what one step puts into the run log: lines are cut at a length and a step's output
/// stops being kept past a volume, each time with a line that says what was dropped. A step
/// that prints without end then costs neither the session's memory nor the run store's disk.
/// Lines without a step (the run's own messages) are never dropped.
/// </summary>
internal sealed class StepLogBudget(int maxLineLength, long maxStepBytes)
{
    private readonly Dictionary<string, long> used = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private const int NoteRoom = 128;

    /// <summary>The lines to keep for this line: itself (perhaps cut), a notice that the budget ran out, or nothing.</summary>
    public IEnumerable<OutputLine> Admit(string? step, OutputLine line)
    {
        // A line the process runner already cut carries its note past the limit: not cut twice.
        if (line.Text.Length > maxLineLength + NoteRoom)
        {
            line = line with
            {
                Text = line.Text[..maxLineLength] + $" [line truncated: {line.Text.Length - maxLineLength:N0} more characters not kept; lines are cut at {maxLineLength:N0}]",
            };
        }
        if (step is null)
        {
            return [line];
        }
        long before;
        long after;
        lock (gate)
        {
            before = used.GetValueOrDefault(step);
            after = before + Encoding.UTF8.GetByteCount(line.Text) + 1;
            used[step] = after;
        }
        if (after <= maxStepBytes)
        {
            return [line];
        }
        return before <= maxStepBytes
            ? [new OutputLine(OutputStream.Error,
                $"Log truncated: step '{step}' wrote more than {maxStepBytes:N0} bytes of output; the rest of its output is not kept (the step goes on running).")]
            : [];
    }
}
