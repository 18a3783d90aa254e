using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

public sealed class BatchFileParserTests
{
    [Fact]
    public void Reads_priorities_and_commands_skipping_comments_and_blank_lines()
    {
        var tasks = BatchFileParser.Parse(["# nightly", "", "1:make build", "  10 : echo last  ", "   # indented comment", "3:echo a:b"]);

        Assert.Equal([1, 10, 3], tasks.Select(t => t.Priority));
        Assert.Equal(["make build", "echo last", "echo a:b"], tasks.Select(t => t.Command));
        Assert.Equal([3, 4, 6], tasks.Select(t => t.Line!.Value));
    }

    [Fact]
    public void Reports_every_malformed_line_with_its_number_and_returns_nothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.batch", "1:echo fine\n0:echo zero\nno priority here\n11:echo eleven\n2:   \nx:echo\n");

        var error = Assert.Throws<ParallelBatchException>(() => BatchFileParser.ParseFile(path));

        Assert.Equal("ParallelBatchLineInvalid", error.ErrorId);
        Assert.Equal(2, error.Line);
        Assert.Equal(path, error.File);
        foreach (var line in new[] { 2, 3, 4, 5, 6 })
        {
            Assert.Contains($"{path}:{line}:", error.Message);
        }
        Assert.DoesNotContain($"{path}:1:", error.Message);
        Assert.Contains("the command after the priority is empty", error.Message);
        Assert.Contains("'11' is not a priority from 1 to 10", error.Message);
    }
}
