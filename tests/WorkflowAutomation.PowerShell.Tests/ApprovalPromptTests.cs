namespace WorkflowAutomation.PowerShell.Tests;

/// <summary>approval_required in an interactive session: the user is asked, and the answer decides.</summary>
public sealed class ApprovalPromptTests
{
    private static string Workflow(ModuleSession session)
    {
        var path = Path.Combine(session.StateDirectory, "gated.yaml");
        File.WriteAllText(path, """
            name: gated
            steps:
              - name: build
                shell: sh
                command: echo built
              - name: deploy
                shell: sh
                command: echo deployed
                approval_required: true
            """);
        return path;
    }

    [Fact]
    public void A_yes_at_the_prompt_runs_the_gated_step()
    {
        var host = new AnsweringHost(answerYes: true);
        using var session = new ModuleSession(host);

        var result = session.Invoke($"(Invoke-Workflow -Path '{Workflow(session)}').Steps | ForEach-Object {{ \"$($_.Name)=$($_.Status)\" }}");

        Assert.Empty(result.Errors);
        Assert.Equal(["build=Succeeded", "deploy=Succeeded"], result.Output.Select(o => o.ToString()));
        var prompt = Assert.Single(host.Prompts);
        Assert.Contains("deploy", prompt);
    }

    [Fact]
    public void A_no_at_the_prompt_fails_the_run_without_running_the_step()
    {
        var host = new AnsweringHost(answerYes: false);
        using var session = new ModuleSession(host);

        var result = session.Invoke($"(Invoke-Workflow -Path '{Workflow(session)}').Steps | ForEach-Object {{ \"$($_.Name)=$($_.Status)\" }}");

        Assert.Equal(["build=Succeeded", "deploy=Failed"], result.Output.Select(o => o.ToString()));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("WorkflowApprovalDenied", error.FullyQualifiedErrorId);
        Assert.Single(host.Prompts);
    }
}
