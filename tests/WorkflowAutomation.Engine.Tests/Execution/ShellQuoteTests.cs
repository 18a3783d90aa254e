using System.Diagnostics;
using System.Text;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

/// <summary>quote() makes any value one literal word of the step's shell: checked by running the real shells.</summary>
public sealed class ShellQuoteTests
{
    public static readonly string[] Hostile =
    [
        "x\"; echo INJECTED-$(id -un); echo \"",
        "it's", "a'b'\\''c", "`id`", "$(id)", "${HOME}", "$HOME", "\\", "\\\\'", "%PATH%", "!x", "a\nb", "tab\there",
        "\u2018curly\u2019 \u201Aquotes\u201B", "\"\"\"", "ü €", "", " ", "--", "-e", "#", ";", "&&", "|", "*", "~",
    ];

    [Theory]
    [InlineData(StepShell.Bash, "printf '%s\\0' ")]
    [InlineData(StepShell.Sh, "printf '%s\\0' ")]
    [InlineData(StepShell.Python, "import sys; sys.stdout.write('\\0'.join([")]
    public void Every_value_comes_back_unchanged_from_the_real_shell(StepShell shell, string prefix)
    {
        var quoted = Hostile.Select(value => ShellQuote.Quote(value, shell));
        var command = shell == StepShell.Python
            ? prefix + string.Join(", ", quoted) + "]) + '\\0')"
            : prefix + string.Join(' ', quoted);

        var output = Run(shell, command);

        Assert.Equal(Hostile, output.Split('\0')[..^1]);
        Assert.DoesNotContain("INJECTED", output.Replace(Hostile[0], string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("\u2019x", "'\u2019\u2019x'")]
    [InlineData("$env:HOME `n", "'$env:HOME `n'")]
    public void Pwsh_values_are_single_quoted_with_every_quote_character_doubled(string value, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(value, StepShell.Pwsh));

    [Theory]
    [InlineData("a & b", "\"a & b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("%PATH%", "\"%%cd:~,%PATH%%cd:~,%\"")]
    public void Cmd_values_stay_inside_double_quotes_and_percent_signs_cannot_form_a_variable(string value, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(value, StepShell.Cmd));

    [Fact]
    public void Cmd_refuses_a_line_break_which_would_end_its_command_line() =>
        Assert.Throws<ExpressionException>(() => ShellQuote.Quote("a\nb", StepShell.Cmd));

    private static string Run(StepShell shell, string command)
    {
        var (fileName, arguments) = ShellCommand.For(shell, command);
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, StandardOutputEncoding = new UTF8Encoding(false) };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
