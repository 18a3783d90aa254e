using System.Globalization;
using System.Text;

namespace WorkflowAutomation.Workflows.Expressions;

/// <summary>
/// Quotes a value as one literal word of a step's shell: what <c>${{ quote(x) }}</c> pastes
/// into a command, so that no value, whatever it holds, runs as code.
/// </summary>
public static class ShellQuote
{
    /// <summary>PowerShell ends a single-quoted string at any of these, not only at the ASCII one.</summary>
    private const string PwshSingleQuotes = "'\u2018\u2019\u201A\u201B";

    /// <exception cref="ExpressionException">cmd cannot hold a line break in one command line.</exception>
    public static string Quote(string value, StepShell shell) => shell switch
    {
        StepShell.Bash or StepShell.Sh => "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'",
        StepShell.Pwsh => Pwsh(value),
        StepShell.Python => Python(value),
        StepShell.Cmd => Cmd(value),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "Unknown shell."),
    };

    /// <summary>A single-quoted string: no expansion inside; each quote character is doubled.</summary>
    private static string Pwsh(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            builder.Append(c);
            if (PwshSingleQuotes.Contains(c))
            {
                builder.Append(c);
            }
        }
        return builder.Append('\'').ToString();
    }

    /// <summary>A Python string literal with every backslash, quote and control character escaped.</summary>
    private static string Python(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '\\' => @"\\",
                '\'' => @"\'",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when char.IsControl(c) => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return builder.Append('\'').ToString();
    }

    /// <summary>
    /// A double-quoted word: inside quotes cmd takes &amp; | &lt; &gt; ^ literally, a doubled quote
    /// keeps the quoting on, and '%' is followed by an empty substring of %cd% so that no
    /// %NAME% can form (the trick Rust's standard library uses for the same problem).
    /// </summary>
    private static string Cmd(string value)
    {
        if (value.Contains('\n') || value.Contains('\r'))
        {
            throw new ExpressionException("quote() cannot quote a line break for cmd: a cmd command line ends at it. Read the value from the environment instead (%INPUT_NAME%).");
        }
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\"\"",
                '%' => "%%cd:~,%",
                _ => c.ToString(),
            });
        }
        return builder.Append('"').ToString();
    }
}
