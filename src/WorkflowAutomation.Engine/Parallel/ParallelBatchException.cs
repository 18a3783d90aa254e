using WorkflowAutomation.Common;

namespace WorkflowAutomation.Parallel;

/// <summary>A batch that cannot run: a malformed line, an unknown dependency, a cycle. Nothing runs.</summary>
public sealed class ParallelBatchException : WorkflowAutomationException
{
    public ParallelBatchException(string errorId, string message, string? file = null, int? line = null)
        : base(errorId, ErrorKind.InvalidData, message)
    {
        File = file;
        Line = line;
    }

    /// <summary>The batch file at fault, when there is one.</summary>
    public string? File { get; }

    /// <summary>The first line at fault, when the fault is in a file.</summary>
    public int? Line { get; }
}
