using System.Text.RegularExpressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

/// <summary>
/// Each file in Broken/ ends with '# expect: line:column [warning] Code ["text in the message"]'
/// lines: the parser must report exactly those findings, no more, no fewer.
/// </summary>
public sealed partial class BrokenWorkflowTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Workflows", "Broken");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).OfType<string>().Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void Reports_each_problem_once_at_its_line_and_column(string name)
    {
        var path = Path.Combine(Folder, name);
        var expected = File.ReadLines(path).Select(line => Expectation().Match(line)).Where(match => match.Success).ToList();
        Assert.NotEmpty(expected);

        var result = WorkflowParser.ParseFile(path);

        Assert.False(result.IsValid);
        Assert.Null(result.Definition);
        var actual = result.Diagnostics.Select(d => $"{d.Line}:{d.Column} {(d.Severity == DiagnosticSeverity.Warning ? "warning " : "")}{d.Code}");
        var wanted = expected.Select(m => $"{m.Groups["line"]}:{m.Groups["column"]} {(m.Groups["warning"].Success ? "warning " : "")}{m.Groups["code"]}");
        Assert.Equal(wanted, actual);
        foreach (var (match, diagnostic) in expected.Zip(result.Diagnostics))
        {
            Assert.Equal(path, diagnostic.File);
            if (match.Groups["text"].Success)
            {
                Assert.Contains(match.Groups["text"].Value, diagnostic.Message);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Messages_are_plain_sentences_without_stack_traces(string name)
    {
        foreach (var diagnostic in WorkflowParser.ParseFile(Path.Combine(Folder, name)).Diagnostics)
        {
            Assert.DoesNotContain('\n', diagnostic.Message);
            Assert.DoesNotMatch(@"\bat [\w.]+\(", diagnostic.Message);
            Assert.DoesNotContain("Exception", diagnostic.Message);
            Assert.DoesNotContain("(Line:", diagnostic.Message);
            Assert.EndsWith(".", diagnostic.Message.TrimEnd('?', ')') + ".");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Windows_line_endings_give_the_same_positions(string name)
    {
        var path = Path.Combine(Folder, name);
        var text = File.ReadAllText(path);
        static IEnumerable<string> Positions(WorkflowValidationResult result) =>
            result.Diagnostics.Select(d => $"{d.Line}:{d.Column} {d.Code}");

        var unix = WorkflowParser.Parse(text.ReplaceLineEndings("\n"), path);
        var windows = WorkflowParser.Parse(text.ReplaceLineEndings("\r\n"), path);

        Assert.Equal(Positions(unix), Positions(windows));
    }

    [GeneratedRegex(@"^# expect: (?<line>\d+):(?<column>\d+) (?:(?<warning>warning) )?(?<code>\w+)(?: ""(?<text>.*)"")?\s*$")]
    private static partial Regex Expectation();
}
