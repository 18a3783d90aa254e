using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

/// <summary>Whatever a file holds, validation ends in diagnostics, never in an exception.</summary>
public sealed class MalformedInputTests
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflows", "Broken", "bad-types.yaml"))
        + """

        inputs:
          v: { type: number, default: 2 }
        env: { A: "${{ inputs.v }}" }
        schedule: '0 * * * *'
        notifications: { webhook: 'https://example.com/x', email: a@b.c }
        x: &anchor { name: n, command: c, condition: "steps.build.outcome == 'success' && (always() || failure())" }
        y: *anchor
        """;

    [Fact]
    public void A_thousand_mutated_files_give_diagnostics_and_no_exception()
    {
        // Fixed seed: a failure reproduces. Mutations cut, duplicate and replace characters
        // that matter to YAML and to the expression language.
        var random = new Random(20261127);
        const string interesting = ":-[]{}'\"\n #&*|>${}()!=,.\t";
        for (var i = 0; i < 1000; i++)
        {
            var text = Seed.ToCharArray().ToList();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(3))
                {
                    case 0:
                        text.RemoveAt(at);
                        break;
                    case 1:
                        text.Insert(at, interesting[random.Next(interesting.Length)]);
                        break;
                    default:
                        var length = Math.Min(random.Next(1, 40), text.Count - at);
                        text.InsertRange(random.Next(text.Count), text.GetRange(at, length));
                        break;
                }
            }
            var yaml = new string(text.ToArray());

            var result = WorkflowParser.Parse(yaml, "fuzz.yaml");

            Assert.True(result.IsValid || result.Errors.Any(), yaml);
            Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1 && d.Message.Length > 0, yaml));
        }
    }

    [Fact]
    public void Absurd_nesting_is_refused_without_overflowing_the_stack()
    {
        var deepYaml = "name: deep\nsteps: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var deepCondition = "name: deep\nsteps:\n  - name: a\n    command: x\n    condition: " + new string('(', 50_000) + "success()" + new string(')', 50_000) + "\n";

        var yaml = Assert.Single(WorkflowParser.Parse(deepYaml, "deep.yaml").Diagnostics);
        var condition = Assert.Single(WorkflowParser.Parse(deepCondition, "deep.yaml").Diagnostics);

        Assert.Equal((2, 7 + 100, WorkflowDiagnosticCode.YamlSyntax), (yaml.Line, yaml.Column, yaml.Code));
        Assert.Equal((5, 16, WorkflowDiagnosticCode.InvalidExpression), (condition.Line, condition.Column, condition.Code));
    }

    [Fact]
    public void A_chain_of_thousands_of_steps_is_checked_without_recursion()
    {
        var yaml = new System.Text.StringBuilder("name: chain\nexecution_mode: parallel\nsteps:\n");
        for (var i = 0; i < 20_000; i++)
        {
            yaml.Append($"  - {{ name: s{i}, command: x, depends_on: [s{(i + 1) % 20_000}] }}\n");
        }

        var cycle = Assert.Single(WorkflowParser.Parse(yaml.ToString(), "chain.yaml").Diagnostics);

        Assert.Equal(WorkflowDiagnosticCode.DependencyCycle, cycle.Code);
        Assert.StartsWith("Steps depend on each other in a cycle: s0 -> s1 -> s2 -> ", cycle.Message);
    }
}
