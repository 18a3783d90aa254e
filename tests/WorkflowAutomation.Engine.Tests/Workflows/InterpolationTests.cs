using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

/// <summary>${{ }} that pastes a value someone else controls into a command is flagged, with the safe form.</summary>
public sealed class InterpolationTests
{
    private static string Workflow(string command, string shell = "bash", string extra = "") => $$"""
        name: greet
        {{extra}}inputs:
          who: { type: string, default: world }
          count: { type: number, default: 2 }
          loud: { type: boolean, default: false }
        steps:
          - name: first
            command: echo one
          - name: greet
            shell: {{shell}}
            command: {{command}}
        """;

    [Theory]
    [InlineData("bash", "\"$INPUT_WHO\" in bash")]
    [InlineData("sh", "\"$INPUT_WHO\" in sh")]
    [InlineData("pwsh", "$env:INPUT_WHO in pwsh")]
    [InlineData("python", "os.environ['INPUT_WHO'] in python")]
    [InlineData("cmd", "quote(inputs.who) }} to quote it for cmd")]
    public void An_input_in_a_command_is_a_warning_naming_the_safe_form_for_the_shell(string shell, string safeForm)
    {
        var result = WorkflowParser.Parse(Workflow("echo \"hello ${{ inputs.who }}\"", shell), "greet.yaml");

        var finding = Assert.Single(result.Diagnostics);
        Assert.True(result.IsValid);
        Assert.Equal((DiagnosticSeverity.Warning, WorkflowDiagnosticCode.UnsafeInterpolation), (finding.Severity, finding.Code));
        Assert.Equal((11, 30), (finding.Line, finding.Column));
        Assert.Contains(safeForm, finding.Message);
        Assert.Contains("${{ quote(inputs.who) }}", finding.Message);
    }

    [Theory]
    [InlineData("echo ${{ steps.first.outputs.v }}", "steps.first.outputs.v", "$STEPS_FIRST_OUTPUTS_V")]
    [InlineData("echo ${{ env.HOME }}", "env.HOME", "$HOME")]
    [InlineData("echo ${{ inputs['who'] }}", "inputs.who", "$INPUT_WHO")]
    [InlineData("echo ${{ steps.first.outcome == 'success' || inputs.who }}", "inputs.who", "$INPUT_WHO")]
    [InlineData("echo ${{ steps.first.outcome || inputs.who }}", "inputs.who", "$INPUT_WHO")]
    public void Step_outputs_env_values_and_indirect_uses_are_flagged_too(string command, string reference, string safeForm)
    {
        var finding = Assert.Single(WorkflowParser.Parse(Workflow(command), "greet.yaml").Diagnostics);

        Assert.Equal(WorkflowDiagnosticCode.UnsafeInterpolation, finding.Code);
        Assert.Contains($"pastes {reference} into the command", finding.Message);
        Assert.Contains(safeForm, finding.Message);
    }

    [Theory]
    [InlineData("echo hello ${{ quote(inputs.who) }}")]
    [InlineData("echo \"hello $INPUT_WHO\"")]
    [InlineData("echo ${{ inputs.count }} ${{ inputs.loud }}")]
    [InlineData("echo ${{ inputs.who == 'world' }} ${{ contains(inputs.who, 'x') }} ${{ !inputs.who }}")]
    [InlineData("echo ${{ steps.first.outcome }} ${{ workflow.name }} ${{ quote(steps.first.outputs.v) }}")]
    public void Quoted_typed_and_boolean_uses_are_not_flagged(string command) =>
        Assert.Empty(WorkflowParser.Parse(Workflow(command), "greet.yaml").Diagnostics);

    [Fact]
    public void A_rollback_is_checked_like_a_command()
    {
        var yaml = Workflow("echo ok") + "\n    rollback: undo ${{ inputs.who }}\n";

        var finding = Assert.Single(WorkflowParser.Parse(yaml, "greet.yaml").Diagnostics);

        Assert.Equal((12, WorkflowDiagnosticCode.UnsafeInterpolation), (finding.Line, finding.Code));
    }

    [Fact]
    public void Env_values_may_interpolate_inputs_that_is_the_safe_form()
    {
        var yaml = Workflow("echo \"$WHO\"") + "\n    env: { WHO: '${{ inputs.who }}' }\n";

        Assert.Empty(WorkflowParser.Parse(yaml, "greet.yaml").Diagnostics);
    }

    [Fact]
    public void Strict_interpolation_from_the_configuration_makes_it_an_error()
    {
        var result = WorkflowParser.Parse(Workflow("echo ${{ inputs.who }}"), "greet.yaml", new WorkflowParseOptions { StrictInterpolation = true });

        var finding = Assert.Single(result.Diagnostics);
        Assert.False(result.IsValid);
        Assert.Equal((DiagnosticSeverity.Error, WorkflowDiagnosticCode.UnsafeInterpolation), (finding.Severity, finding.Code));
        Assert.Contains("Strict interpolation is on", finding.Message);
    }

    [Fact]
    public void A_workflow_can_ask_for_strict_interpolation_but_not_turn_the_configuration_off()
    {
        var strict = WorkflowParser.Parse(Workflow("echo ${{ inputs.who }}", extra: "strict: true\n"), "greet.yaml");
        var lenient = WorkflowParser.Parse(Workflow("echo ${{ inputs.who }}", extra: "strict: false\n"), "greet.yaml",
            new WorkflowParseOptions { StrictInterpolation = true });
        var quoted = WorkflowParser.Parse(Workflow("echo ${{ quote(inputs.who) }}", extra: "strict: true\n"), "greet.yaml");

        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(strict.Diagnostics).Severity);
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(lenient.Diagnostics).Severity);
        Assert.True(quoted.IsValid);
        Assert.Empty(quoted.Diagnostics);
    }

    [Fact]
    public void Strict_must_be_true_or_false()
    {
        var finding = Assert.Single(WorkflowParser.Parse(Workflow("echo ok", extra: "strict: maybe\n"), "greet.yaml").Diagnostics);

        Assert.Equal((2, WorkflowDiagnosticCode.InvalidType), (finding.Line, finding.Code));
    }
}
