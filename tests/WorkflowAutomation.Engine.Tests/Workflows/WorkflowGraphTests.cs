using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Workflows;

public sealed class WorkflowGraphTests
{
    private static WorkflowDefinition Parse(string yaml)
    {
        var result = WorkflowParser.Parse(yaml, "graph.yaml");
        return result.Definition ?? throw new InvalidOperationException(string.Join("; ", result.Diagnostics));
    }

    private static WorkflowDefinition Deployment() => Parse("""
        name: deploy "prod"
        execution_mode: parallel
        steps:
          - name: build
            command: make
          - name: test
            command: make test
            depends_on: [build]
          - name: lint
            command: make lint
            depends_on: [build]
          - name: deploy
            command: make deploy
            depends_on: [test, lint]
            approval_required: true
            condition: steps.test.outcome == 'success' && success()
            rollback: make undeploy
        """);

    [Fact]
    public void Parallel_mode_draws_the_depends_on_edges_as_Mermaid()
    {
        var mermaid = WorkflowGraph.Render(Deployment(), GraphFormat.Mermaid);

        Assert.Equal("""
            flowchart TD
                %% deploy "prod" (parallel)
                s1["build"]
                s2["test"]
                s3["lint"]
                s4{{"deploy<br/>approval required<br/>if: steps.test.outcome == 'success' && success()<br/>has rollback"}}
                s1 --> s2
                s1 --> s3
                s2 -.-> s4
                s3 -.-> s4
                classDef approval fill:#fff4d6,stroke:#d9a400,stroke-width:2px
                class s4 approval

            """, mermaid.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Dot_output_escapes_quotes_and_marks_approvals_and_conditions()
    {
        var dot = WorkflowGraph.Render(Deployment(), GraphFormat.Dot);

        Assert.StartsWith("digraph \"deploy \\\"prod\\\"\" {", dot);
        Assert.Contains("    s4 [label=\"deploy\\napproval required\\nif: steps.test.outcome == 'success' && success()\\nhas rollback\", shape=hexagon, style=filled, fillcolor=\"#fff4d6\", color=\"#d9a400\"];", dot);
        Assert.Contains("    s1 -> s2;", dot);
        Assert.Contains("    s1 -> s3;", dot);
        Assert.Contains("    s2 -> s4 [style=dashed];", dot);
        Assert.Contains("    s3 -> s4 [style=dashed];", dot);
        Assert.EndsWith("}" + Environment.NewLine, dot);
    }

    [Fact]
    public void Sequential_mode_follows_file_order_and_groups_consecutive_parallel_steps()
    {
        var workflow = Parse("""
            name: seq
            steps:
              - { name: fetch, command: a }
              - { name: unit, command: b, parallel: true, depends_on: [lint] }
              - { name: lint, command: c, parallel: true, depends_on: [fetch] }
              - { name: package, command: d }
              - { name: publish, command: e }
            """);

        var edges = WorkflowGraph.Edges(workflow).Select(edge => $"{edge.From}->{edge.To}");

        // lint -> unit is drawn: inside a parallel group, depends_on orders the steps; fetch -> lint is implied by the order.
        Assert.Equal(["fetch->unit", "fetch->lint", "unit->package", "lint->package", "package->publish", "lint->unit"], edges);
        Assert.Equal([["fetch"], ["unit", "lint"], ["package"], ["publish"]],
            WorkflowGraph.SequentialGroups(workflow).Select(group => group.Select(step => step.Name).ToArray()));
    }

    [Fact]
    public void Labels_cannot_break_out_of_a_Mermaid_node()
    {
        var workflow = Parse("""
            name: odd
            execution_mode: conditional
            steps:
              - name: 'say "hi" <b>#1</b>'
                command: echo
            """);

        var mermaid = WorkflowGraph.Render(workflow, GraphFormat.Mermaid);

        Assert.Contains("s1[\"say #34;hi#34; #60;b#62;#35;1#60;/b#62;\"]", mermaid);
    }
}
