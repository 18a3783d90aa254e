using WorkflowAutomation.Daemon;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class ValidatedDefinitionsTests
{
    private static string Text(string name) => $"name: {name}\nsteps:\n  - name: a\n    shell: sh\n    command: 'true'\n";

    [Fact]
    public void A_workflow_submitted_again_unchanged_is_not_parsed_again_and_an_edit_is()
    {
        var validated = new ValidatedDefinitions(WorkflowParseOptions.Default);
        var first = validated.Get(Text("one"), "/w/one.yaml");
        Assert.Same(first, validated.Get(Text("one"), "/w/one.yaml"));
        Assert.NotSame(first, validated.Get(Text("one"), "/w/other.yaml"));
        var edited = validated.Get(Text("edited"), "/w/one.yaml");
        Assert.Equal("edited", edited.Name);
        var broken = Assert.Throws<WorkflowDefinitionException>(() => validated.Get("name: broken\nsteps: [\n", "/w/broken.yaml"));
        Assert.Contains("/w/broken.yaml", broken.Message);
    }

    [Fact]
    public void Only_the_latest_definitions_are_kept()
    {
        var validated = new ValidatedDefinitions(WorkflowParseOptions.Default);
        var oldest = validated.Get(Text("w0"), "/w/0.yaml");
        for (var index = 1; index <= ValidatedDefinitions.MaxEntries; index++)
        {
            validated.Get(Text($"w{index}"), $"/w/{index}.yaml");
        }
        Assert.NotSame(oldest, validated.Get(Text("w0"), "/w/0.yaml"));
    }
}
