using System.Text.RegularExpressions;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Engine.Tests.Architecture;

/// <summary>Every ErrorId comes from the one catalogue, so a failure has one id and scripts can rely on it.</summary>
public sealed partial class ErrorIdTests
{
    [Fact]
    public void No_error_is_raised_with_an_id_written_as_text()
    {
        var src = Path.GetDirectoryName(LayerTests.EngineRoot())!;
        var literal = IdLiteral();
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(hit => !hit.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && literal.IsMatch(hit.line))
            .Select(hit => $"{Path.GetRelativePath(src, hit.file)}:{hit.index + 1}: {hit.line.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "Use a constant of ErrorIds (add one there for a new failure):\n" + string.Join("\n", found));
    }

    [Fact]
    public void Every_id_is_its_own_name()
    {
        foreach (var field in typeof(ErrorIds).GetFields())
        {
            Assert.Equal(field.Name, field.GetValue(null));
        }
    }

    /// <summary>A quoted identifier passed where an ErrorId goes: an exception's first argument, or before an ErrorKind or ErrorCategory.</summary>
    [GeneratedRegex(@"(Exception\(\s*""[A-Z]\w+""|""[A-Z]\w+""\s*,\s*(Common\.)?(ErrorKind|ErrorCategory)\.)")]
    private static partial Regex IdLiteral();
}
