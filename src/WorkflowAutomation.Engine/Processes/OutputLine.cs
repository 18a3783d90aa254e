namespace WorkflowAutomation.Processes;

/// <summary>The stream a line of step output came from.</summary>
public enum OutputStream
{
    Output,
    Error,
}

/// <summary>One line a step wrote, as it was written.</summary>
public readonly record struct OutputLine(OutputStream Stream, string Text)
{
    public override string ToString() => Text;
}
