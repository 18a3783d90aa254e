using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

public sealed class WorkflowParserTests
{
    private const string Full = """
        name: deployment_workflow
        description: Build, test and deploy
        execution_mode: parallel
        max_parallel: 4
        inputs:
          version: { type: string, default: '1.0', required: false, description: Release to build }
          replicas: { type: number, default: 3 }
          dry_run: { type: boolean, default: true }
          channel: stable
        env: { STAGE: prod, LEVEL: 2 }
        schedule: '*/15 * * * *'
        time_zone: UTC
        steps:
          - name: build
            command: make VERSION=${{ quote(inputs.version) }}
            shell: bash
            timeout: 300
            retry_count: 2
            retry_delay: 5
            backoff: linear
            jitter: true
            working_directory: ./src
            env:
              CI: 'true'
          - name: test
            command: make test
            depends_on: [build]
            parallel: true
            timeout: 5m
            continue_on_error: true
          - name: deploy
            command: kubectl apply -f deploy.yaml
            depends_on: build
            approval_required: true
            condition: steps.test.outcome == 'success' && success()
            rollback: kubectl rollout undo deployment/app
        notifications:
          webhook: https://hooks.example.com/T000/B000
          email: team@example.com
        """;

    [Fact]
    public void Reads_every_key_of_the_format_into_the_model()
    {
        var result = WorkflowParser.Parse(Full, "deploy.yaml");

        Assert.Empty(result.Diagnostics);
        var workflow = Assert.IsType<WorkflowDefinition>(result.Definition);
        Assert.Equal("deployment_workflow", workflow.Name);
        Assert.Equal("Build, test and deploy", workflow.Description);
        Assert.Equal(ExecutionMode.Parallel, workflow.ExecutionMode);
        Assert.Equal(4, workflow.MaxParallel);
        Assert.Equal("*/15 * * * *", workflow.Schedule);
        Assert.Equal("UTC", workflow.TimeZone);
        Assert.Equal("deploy.yaml", workflow.SourcePath);
        Assert.Equal(new Dictionary<string, string> { ["STAGE"] = "prod", ["LEVEL"] = "2" }, workflow.Env);

        Assert.Equal(["version", "replicas", "dry_run", "channel"], workflow.Inputs.Keys);
        Assert.Equal("1.0", workflow.Inputs["version"].Default);
        Assert.Equal("Release to build", workflow.Inputs["version"].Description);
        Assert.False(workflow.Inputs["version"].Required);
        Assert.Equal(InputType.Number, workflow.Inputs["replicas"].Type);
        Assert.Equal(3d, workflow.Inputs["replicas"].Default);
        Assert.Equal(true, workflow.Inputs["dry_run"].Default);
        Assert.Equal("stable", workflow.Inputs["channel"].Default);

        Assert.Equal(["build", "test", "deploy"], workflow.Steps.Select(step => step.Name));
        var build = workflow.Steps[0];
        Assert.Equal("make VERSION=${{ quote(inputs.version) }}", build.Command);
        Assert.Equal(StepShell.Bash, build.Shell);
        Assert.Equal(TimeSpan.FromSeconds(300), build.Timeout);
        Assert.Equal(2, build.RetryCount);
        Assert.Equal(TimeSpan.FromSeconds(5), build.RetryDelay);
        Assert.Equal(RetryBackoff.Linear, build.Backoff);
        Assert.True(build.Jitter);
        Assert.Equal("./src", build.WorkingDirectory);
        Assert.Equal("true", build.Env["CI"]);
        Assert.Equal(new SourceLocation("deploy.yaml", 14, 5), build.Location);

        var test = workflow.Steps[1];
        Assert.Equal(["build"], test.DependsOn);
        Assert.True(test.Parallel);
        Assert.True(test.ContinueOnError);
        Assert.Equal(TimeSpan.FromMinutes(5), test.Timeout);
        Assert.Equal(StepShell.Pwsh, test.Shell);

        var deploy = workflow.Steps[2];
        Assert.Equal(["build"], deploy.DependsOn);
        Assert.True(deploy.ApprovalRequired);
        Assert.Equal("steps.test.outcome == 'success' && success()", deploy.Condition);
        Assert.Equal("kubectl rollout undo deployment/app", deploy.Rollback);
        Assert.Null(deploy.Timeout);
        Assert.Equal(0, deploy.RetryCount);

        Assert.Equal("https://hooks.example.com/T000/B000", workflow.Notifications?.Webhook);
        Assert.Equal("team@example.com", workflow.Notifications?.Email);
    }

    [Fact]
    public void Applies_the_defaults_of_the_spec()
    {
        var workflow = WorkflowParser.Parse("name: minimal\nsteps:\n  - name: only\n    command: echo hi\n", "minimal.yaml").Definition!;

        Assert.Equal(ExecutionMode.Sequential, workflow.ExecutionMode);
        Assert.Null(workflow.MaxParallel);
        Assert.Empty(workflow.Inputs);
        Assert.Null(workflow.Notifications);
        var step = Assert.Single(workflow.Steps);
        Assert.Equal(StepShell.Pwsh, step.Shell);
        Assert.Empty(step.DependsOn);
        Assert.False(step.ApprovalRequired);
        Assert.Null(step.Condition);
    }

    [Fact]
    public void Accepts_six_field_cron_with_seconds_and_macros()
    {
        foreach (var schedule in new[] { "'30 */5 * * * *'", "'@daily'", "'0 9 * * MON-FRI'" })
        {
            var result = WorkflowParser.Parse($"name: s\nschedule: {schedule}\nsteps:\n  - name: a\n    command: x\n", "s.yaml");
            Assert.True(result.IsValid, string.Join("; ", result.Diagnostics));
        }
    }

    [Fact]
    public void A_warning_alone_keeps_the_workflow_valid()
    {
        var result = WorkflowParser.Parse("name: w\nsteps:\n  - name: a\n    command: x\n    backoff: linear\n", "w.yaml");

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("w.yaml:5:5: warning: 'backoff' of step 'a' has no effect without 'retry_count'. Add 'retry_count' or remove 'backoff'.", warning.ToString());
    }

    [Fact]
    public void Load_throws_one_error_listing_every_problem_as_file_line_column()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.yaml", "name: bad\nexecution_mode: fast\nsteps:\n  - name: a\n    command: x\n    depends_on: [b]\n");

        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowParser.Load(path));

        Assert.Equal("WorkflowYamlInvalid", error.ErrorId);
        Assert.Equal(Common.ErrorKind.InvalidData, error.Kind);
        Assert.Equal(2, error.Diagnostics.Count);
        Assert.Contains($"{path}:2:17: 'execution_mode' must be one of sequential, parallel, conditional, not 'fast'.", error.Message);
        Assert.Contains($"{path}:6:18: Step 'a' depends on 'b'", error.Message);
    }

    [Fact]
    public void A_typo_in_a_required_key_is_one_finding_and_its_value_is_still_checked()
    {
        var result = WorkflowParser.Parse("name: t\nsteps:\n  - name: a\n    comand: [x]\n", "t.yaml");

        Assert.Equal(["4:5 UnknownKey", "4:13 InvalidType"], result.Diagnostics.Select(d => $"{d.Line}:{d.Column} {d.Code}"));
    }

    [Fact]
    public void Points_at_a_reference_inside_a_quoted_value()
    {
        var result = WorkflowParser.Parse("name: q\nsteps:\n  - name: a\n    command: 'echo ''x'' ${{ inputs.nope }}'\n", "q.yaml");

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((4, 30), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Ignores_references_in_quoted_text_of_a_condition_and_outside_expressions()
    {
        const string yaml = """
            name: r
            execution_mode: conditional
            steps:
              - name: a
                command: echo steps.nothing inputs.nothing
              - name: b
                command: echo
                condition: "steps.a.outcome == 'steps.ghost' || always()"
            """;

        Assert.Empty(WorkflowParser.Parse(yaml, "r.yaml").Diagnostics);
    }

    [Fact]
    public void Shares_settings_through_anchors_merge_keys_and_extension_fields()
    {
        const string yaml = """
            name: shared
            x-defaults: &defaults
              shell: bash
              timeout: 60
              retry_count: 1
            steps:
              - name: a
                command: make a
                <<: *defaults
              - name: b
                command: make b
                timeout: 5
                <<: *defaults
            """;

        var result = WorkflowParser.Parse(yaml, "shared.yaml");

        Assert.Empty(result.Diagnostics);
        var steps = result.Definition!.Steps;
        Assert.All(steps, step => Assert.Equal(StepShell.Bash, step.Shell));
        Assert.Equal(TimeSpan.FromSeconds(60), steps[0].Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), steps[1].Timeout);
        Assert.Equal(1, steps[1].RetryCount);
    }

    [Fact]
    public void A_bad_value_shared_through_an_anchor_is_reported_once_where_it_is_written()
    {
        const string yaml = """
            name: shared
            x-defaults: &defaults { shell: zsh }
            steps:
              - { name: a, command: x, <<: *defaults }
              - { name: b, command: y, <<: *defaults }
            """;

        var diagnostic = Assert.Single(WorkflowParser.Parse(yaml, "shared.yaml").Diagnostics);

        Assert.Equal((2, 32, WorkflowDiagnosticCode.UnknownShell), (diagnostic.Line, diagnostic.Column, diagnostic.Code));
    }
}
