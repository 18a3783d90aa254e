namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>The raw text of a file, to place a finding inside a value (such as one ${{ }} expression in a command).</summary>
internal sealed class SourceText
{
    private readonly List<int> lineStarts = [0];

    public SourceText(string text)
    {
        Text = text;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
    }

    public string Text { get; }

    /// <summary>1-based line and column of a character offset.</summary>
    public (int Line, int Column) Position(int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }
        return (line + 1, offset - lineStarts[line] + 1);
    }

    public string Slice(long start, long end)
    {
        var from = (int)Math.Clamp(start, 0, Text.Length);
        var to = (int)Math.Clamp(end, from, Text.Length);
        return Text[from..to];
    }
}
