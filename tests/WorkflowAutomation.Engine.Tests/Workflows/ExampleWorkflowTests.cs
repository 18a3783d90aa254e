using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

/// <summary>The workflows shipped in examples/ must stay valid, without even a warning.</summary>
public sealed class ExampleWorkflowTests
{
    private static readonly string Examples = Path.Combine(RepositoryRoot(), "examples");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Examples, "*.yaml").Select(Path.GetFileName).OfType<string>().Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_is_valid(string name)
    {
        var result = WorkflowParser.ParseFile(Path.Combine(Examples, name));

        Assert.Empty(result.Diagnostics);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void The_deployment_example_keeps_the_seed_shape()
    {
        var workflow = WorkflowParser.Load(Path.Combine(Examples, "deployment_workflow.yaml"));

        Assert.Equal("deployment_workflow", workflow.Name);
        Assert.Equal(ExecutionMode.Parallel, workflow.ExecutionMode);
        Assert.Equal(["build"], workflow.FindStep("test")!.DependsOn);
        var deploy = workflow.FindStep("deploy")!;
        Assert.True(deploy.ApprovalRequired);
        Assert.NotNull(deploy.Rollback);
        Assert.Equal(2, workflow.FindStep("build")!.RetryCount);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WorkflowAutomation.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException("The repository root (WorkflowAutomation.sln) was not found above " + AppContext.BaseDirectory);
    }
}
