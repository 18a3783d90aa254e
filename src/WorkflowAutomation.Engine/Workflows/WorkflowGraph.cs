using System.Text;

namespace WorkflowAutomation.Workflows;

/// <summary>An edge of the graph: <see cref="From"/> runs before <see cref="To"/>.</summary>
public readonly record struct WorkflowEdge(WorkflowStep From, WorkflowStep To);

/// <summary>
/// The order of a workflow as a graph. In sequential mode steps follow file order and
/// consecutive parallel steps form a group that runs together; in parallel and conditional
/// modes the edges are the depends_on DAG. Approval gates and conditions are marked.
/// </summary>
public static class WorkflowGraph
{
    public static IReadOnlyList<WorkflowEdge> Edges(WorkflowDefinition workflow) =>
        workflow.ExecutionMode == ExecutionMode.Sequential ? SequentialEdges(workflow) : DependencyEdges(workflow);

    public static string Render(WorkflowDefinition workflow, GraphFormat format) =>
        format == GraphFormat.Dot ? Dot(workflow) : Mermaid(workflow);

    /// <summary>Consecutive parallel steps form one group; every step of a group waits for the whole group before it.</summary>
    public static IReadOnlyList<IReadOnlyList<WorkflowStep>> SequentialGroups(WorkflowDefinition workflow)
    {
        var groups = new List<List<WorkflowStep>>();
        foreach (var step in workflow.Steps)
        {
            if (step.Parallel && groups.Count > 0 && groups[^1][^1].Parallel)
            {
                groups[^1].Add(step);
            }
            else
            {
                groups.Add([step]);
            }
        }
        return groups;
    }

    /// <summary>
    /// Group after group; a depends_on inside a group of parallel steps adds its edge (one to
    /// an earlier group is already implied by the order).
    /// </summary>
    private static List<WorkflowEdge> SequentialEdges(WorkflowDefinition workflow)
    {
        var groups = SequentialGroups(workflow);
        var withinGroups = groups.SelectMany(group => group.SelectMany(step => step.DependsOn.Distinct()
            .Select(name => group.FirstOrDefault(other => other.Name == name)).OfType<WorkflowStep>()
            .Select(from => new WorkflowEdge(from, step))));
        return groups.Zip(groups.Skip(1))
            .SelectMany(pair => pair.First.SelectMany(from => pair.Second.Select(to => new WorkflowEdge(from, to))))
            .Concat(withinGroups)
            .ToList();
    }

    private static List<WorkflowEdge> DependencyEdges(WorkflowDefinition workflow) =>
        workflow.Steps
            .SelectMany(step => step.DependsOn.Distinct().Select(workflow.FindStep).OfType<WorkflowStep>().Select(from => new WorkflowEdge(from, step)))
            .ToList();

    private static string Mermaid(WorkflowDefinition workflow)
    {
        var ids = NodeIds(workflow);
        var text = new StringBuilder();
        text.AppendLine("flowchart TD");
        text.AppendLine($"    %% {OneLine(workflow.Name)} ({workflow.ExecutionMode.ToString().ToLowerInvariant()})");
        foreach (var step in workflow.Steps)
        {
            var label = string.Join("<br/>", Label(step).Select(MermaidText));
            text.AppendLine(step.ApprovalRequired ? $"    {ids[step]}{{{{\"{label}\"}}}}" : $"    {ids[step]}[\"{label}\"]");
        }
        foreach (var (from, to) in Edges(workflow))
        {
            text.AppendLine($"    {ids[from]} {(to.Condition is null ? "-->" : "-.->")} {ids[to]}");
        }
        var approvals = workflow.Steps.Where(step => step.ApprovalRequired).Select(step => ids[step]).ToList();
        if (approvals.Count > 0)
        {
            text.AppendLine("    classDef approval fill:#fff4d6,stroke:#d9a400,stroke-width:2px");
            text.AppendLine($"    class {string.Join(",", approvals)} approval");
        }
        return text.ToString();
    }

    private static string Dot(WorkflowDefinition workflow)
    {
        var ids = NodeIds(workflow);
        var text = new StringBuilder();
        text.AppendLine($"digraph \"{DotText(workflow.Name)}\" {{");
        text.AppendLine($"    label=\"{DotText(workflow.Name)} ({workflow.ExecutionMode.ToString().ToLowerInvariant()})\";");
        text.AppendLine("    rankdir=TB;");
        text.AppendLine("    node [shape=box, style=rounded];");
        foreach (var step in workflow.Steps)
        {
            var label = string.Join("\\n", Label(step).Select(DotText));
            var style = step.ApprovalRequired ? ", shape=hexagon, style=filled, fillcolor=\"#fff4d6\", color=\"#d9a400\"" : string.Empty;
            text.AppendLine($"    {ids[step]} [label=\"{label}\"{style}];");
        }
        foreach (var (from, to) in Edges(workflow))
        {
            text.AppendLine(to.Condition is null ? $"    {ids[from]} -> {ids[to]};" : $"    {ids[from]} -> {ids[to]} [style=dashed];");
        }
        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>The lines shown in a node: the name, then what a reader must know before it runs.</summary>
    private static IEnumerable<string> Label(WorkflowStep step)
    {
        yield return step.Name;
        if (step.ApprovalRequired)
        {
            yield return "approval required";
        }
        if (step.Condition is { } condition)
        {
            yield return "if: " + OneLine(condition);
        }
        if (step.Rollback is not null)
        {
            yield return "has rollback";
        }
    }

    /// <summary>s1, s2 … in file order: names may hold anything, and 'end' would break a Mermaid chart.</summary>
    private static Dictionary<WorkflowStep, string> NodeIds(WorkflowDefinition workflow) =>
        workflow.Steps.Select((step, index) => (step, index)).ToDictionary(pair => pair.step, pair => $"s{pair.index + 1}");

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>Mermaid entity codes for what would end or confuse a quoted label.</summary>
    private static string MermaidText(string text) =>
        text.Replace("#", "#35;").Replace("\"", "#34;").Replace("<", "#60;").Replace(">", "#62;");

    private static string DotText(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
