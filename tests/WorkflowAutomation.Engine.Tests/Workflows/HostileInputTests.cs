using System.Diagnostics;
using System.Text;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

/// <summary>Files written to hang or crash a validator end quickly, in a diagnostic that names the limit.</summary>
public sealed class HostileInputTests
{
    /// <summary>A "billion laughs": ten levels of nine aliases each, under an extension key.</summary>
    internal static string AliasBomb(int levels)
    {
        var yaml = new StringBuilder("name: bomb\nsteps:\n  - name: a\n    command: echo hi\nx-bomb:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level < levels; level++)
        {
            yaml.Append($"  l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
        }
        return yaml.ToString();
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_once_naming_the_limit()
    {
        var watch = Stopwatch.StartNew();
        var result = WorkflowParser.Parse(AliasBomb(10), "bomb.yaml");
        watch.Stop();

        var finding = Assert.Single(result.Diagnostics);
        Assert.Equal(WorkflowDiagnosticCode.LimitExceeded, finding.Code);
        Assert.Contains("1,000,000 YAML nodes", finding.Message);
        Assert.True(finding.Line >= 6, finding.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Aliases_below_the_limit_are_checked_once_per_node_not_once_per_use()
    {
        // 9^6 = 531,441 expanded nodes, each a ${{ }}: allowed, and the one value behind them all is checked once.
        var yaml = AliasBomb(6).Replace("lol", "'${{ inputs.nope }}'", StringComparison.Ordinal);
        WorkflowParser.Parse(AliasBomb(2).Replace("lol", "'${{ inputs.nope }}'", StringComparison.Ordinal), "warm-up.yaml");

        var watch = Stopwatch.StartNew();
        var result = WorkflowParser.Parse(yaml, "aliases.yaml");
        watch.Stop();

        Assert.Equal(9, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, finding => Assert.Equal((6, WorkflowDiagnosticCode.UndeclaredInput), (finding.Line, finding.Code)));
        // Visiting every use instead takes about 15 s here.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_without_being_read()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "huge.yaml");
        using (var file = File.Create(path))
        {
            file.SetLength(WorkflowLimits.MaxFileBytes + 1L);
        }

        var finding = Assert.Single(WorkflowParser.ParseFile(path).Diagnostics);
        var text = Assert.Single(WorkflowParser.Parse(new string('#', WorkflowLimits.MaxFileBytes + 1), "huge.yaml").Diagnostics);

        Assert.Equal((1, 1, WorkflowDiagnosticCode.LimitExceeded), (finding.Line, finding.Column, finding.Code));
        Assert.Contains("4,194,304 bytes", finding.Message);
        Assert.Equal(WorkflowDiagnosticCode.LimitExceeded, text.Code);
    }

    [Theory]
    [InlineData("condition")]
    [InlineData("command")]
    public void Two_million_negations_are_refused_without_overflowing_the_stack(string key)
    {
        var bangs = new string('!', 2_000_000);
        var value = key == "condition" ? bangs + "success()" : "echo ${{ " + bangs + "true }}";
        var yaml = $"name: bang\nsteps:\n  - name: a\n    {key}: \"{value}\"\n" + (key == "condition" ? "    command: echo hi\n" : string.Empty);

        var finding = Assert.Single(WorkflowParser.Parse(yaml, "bang.yaml").Diagnostics);

        Assert.Equal((4, WorkflowDiagnosticCode.InvalidExpression), (finding.Line, finding.Code));
        Assert.Contains("at most 10,000 characters", finding.Message);
    }

    [Fact]
    public void Negations_count_toward_the_nesting_limit()
    {
        var deep = new string('!', Expression.MaxNesting + 1) + "success()";
        var shallow = new string('!', Expression.MaxNesting) + "success()";
        var yaml = $"name: bang\nsteps:\n  - name: a\n    command: echo hi\n    condition: \"{deep}\"\n";

        var finding = Assert.Single(WorkflowParser.Parse(yaml, "bang.yaml").Diagnostics);
        var evaluation = Assert.Throws<ExpressionLimitException>(() => Expression.Evaluate(deep, new Always()));

        Assert.Equal((5, 17, WorkflowDiagnosticCode.InvalidExpression), (finding.Line, finding.Column, finding.Code));
        Assert.Contains("at most 64 deep", finding.Message);
        Assert.Contains("at most 64 deep", evaluation.Message);
        Assert.True(Expression.IsTrue(shallow, new Always()));
    }

    [Fact]
    public void A_long_chain_of_negations_runs_as_one_level_of_work()
    {
        // Parity decides: an even run of '!' leaves the truth of the operand.
        Assert.True(Expression.IsTrue("!!success()", new Always()));
        Assert.False(Expression.IsTrue("!!!success()", new Always()));
        Assert.True(Expression.IsTrue("!!('x' == 'x') && !!!failure()", new Always()));
    }

    [Fact]
    public void A_long_expression_is_refused_by_the_evaluator_too()
    {
        var exception = Assert.Throws<ExpressionLimitException>(() => Expression.Evaluate(new string('(', 20_000), new Always()));

        Assert.Contains("at most 10,000 characters", exception.Message);
    }

    [Fact]
    public void Steps_whose_names_share_an_environment_name_are_refused_naming_both()
    {
        const string yaml = """
            name: outputs
            steps:
              - name: a-b
                command: echo one
              - name: a.b
                command: echo two
              - name: A_B
                command: echo three
            """;

        var findings = WorkflowParser.Parse(yaml, "names.yaml").Diagnostics;

        Assert.Equal(2, findings.Count);
        Assert.All(findings, finding => Assert.Equal(WorkflowDiagnosticCode.StepNameCollision, finding.Code));
        Assert.Equal((5, 11), (findings[0].Line, findings[0].Column));
        Assert.Contains("'a.b' and step 'a-b' (line 3, column 11)", findings[0].Message);
        Assert.Contains("STEPS_A_B_OUTPUTS_", findings[0].Message);
        Assert.Equal((7, 11), (findings[1].Line, findings[1].Column));
    }

    /// <summary>A value that opens and closes many templates costs its length, not its square.</summary>
    [Fact]
    public void A_value_full_of_unclosed_templates_is_checked_in_linear_time()
    {
        var value = string.Concat(Enumerable.Repeat("${{ ", 500_000));
        var yaml = $"name: t\nsteps:\n  - name: a\n    command: \"{value}\"\n";

        var watch = Stopwatch.StartNew();
        var finding = Assert.Single(WorkflowParser.Parse(yaml, "t.yaml").Diagnostics);
        watch.Stop();

        Assert.Equal(WorkflowDiagnosticCode.InvalidExpression, finding.Code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    private sealed class Always : IExpressionContext
    {
        public object? Resolve(IReadOnlyList<string> path) => null;

        public bool StatusFunction(string name) => name != "failure";
    }
}
