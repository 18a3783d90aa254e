using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows.Expressions;

namespace WorkflowAutomation.Tests.Execution;

public sealed class ExpressionTests
{
    private sealed class Context : IExpressionContext
    {
        public object? Resolve(IReadOnlyList<string> path) => string.Join('.', path) switch
        {
            "inputs.version" => "2.1",
            "inputs.count" => 3.0,
            "steps.build.outcome" => "success",
            "steps.build.outputs.ok" => "true",
            _ => null,
        };

        public bool StatusFunction(string name) => name is "success" or "always";
    }

    [Theory]
    [InlineData("success()", true)]
    [InlineData("failure()", false)]
    [InlineData("${{ always() }}", true)]
    [InlineData("steps.build.outcome == 'success'", true)]
    [InlineData("steps.build.outcome == 'SUCCESS'", true)]
    [InlineData("steps.build.outcome != 'success'", false)]
    [InlineData("inputs.count > 2 && inputs.count <= 3", true)]
    [InlineData("inputs.version == '2.1' || failure()", true)]
    [InlineData("!(inputs.count == 3)", false)]
    [InlineData("steps.build.outputs.ok == 'true' && success()", true)]
    [InlineData("steps.missing.outputs.x == ''", true)]
    [InlineData("steps.missing.outputs.x", false)]
    [InlineData("contains(inputs.version, '2.')", true)]
    [InlineData("startsWith('release-1', 'release')", true)]
    [InlineData("'it''s' == \"it's\"", true)]
    public void Evaluates_conditions_as_github_actions_does(string expression, bool expected) =>
        Assert.Equal(expected, Expression.IsTrue(expression, new Context()));

    [Fact]
    public void Interpolates_every_placeholder_and_formats_values()
    {
        Assert.Equal("v2.1 x3 ok=true []", Expression.Interpolate("v${{ inputs.version }} x${{inputs.count}} ok=${{ steps.build.outputs.ok == 'true' }} [${{ inputs.none }}]", new Context()));
    }

    [Theory]
    [InlineData("inputs.version ==")]
    [InlineData("frobnicate()")]
    [InlineData("'open")]
    public void Malformed_expressions_are_clear_errors(string expression)
    {
        var error = Assert.Throws<ExpressionException>(() => Expression.Evaluate(expression, new Context()));
        Assert.Equal("WorkflowExpressionInvalid", error.ErrorId);
        Assert.Contains(expression.Trim(), error.Message);
    }

    [Theory]
    [InlineData("always()", true)]
    [InlineData("failure() && steps.x.outcome == 'failure'", true)]
    [InlineData("success()", false)]
    [InlineData("steps.x.outcome == 'failure'", false)]
    public void Knows_which_conditions_may_run_after_a_failure(string expression, bool expected) =>
        Assert.Equal(expected, Expression.RunsAfterFailure(expression));
}
