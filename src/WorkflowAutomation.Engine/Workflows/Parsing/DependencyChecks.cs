using WorkflowAutomation.Common;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Checks across steps: unique names, dependencies that exist, and no cycles.</summary>
internal static class DependencyChecks
{
    public static void Run(WorkflowSource source, DiagnosticBag diagnostics)
    {
        var steps = UniqueSteps(source, diagnostics);
        foreach (var step in source.Steps)
        {
            foreach (var (name, node) in step.DependsOn.Where(dependency => !steps.ContainsKey(dependency.Name)))
            {
                diagnostics.Error(node, WorkflowDiagnosticCode.UnknownDependency,
                    $"{YamlMapping.Capitalize(step.Describe())} depends on '{name}', which is not a step of this workflow.{Hint(name, steps.Keys)}");
            }
        }
        foreach (var cycle in Cycles(steps))
        {
            var first = cycle[0];
            var node = first.DependsOn.First(dependency => dependency.Name == cycle[1].Name).Node;
            diagnostics.Error(node, WorkflowDiagnosticCode.DependencyCycle,
                $"Steps depend on each other in a cycle: {string.Join(" -> ", cycle.Select(step => step.Name))} (each depends on the next). Remove one of these 'depends_on' entries so the steps can run in order.");
        }
    }

    private static string Hint(string name, IEnumerable<string> names) =>
        DidYouMean.Closest(name, names) is { } match ? $" Did you mean '{match}'?" : " Check the spelling or add that step.";

    /// <summary>Steps by name (the first of each name); a repeated name is reported.</summary>
    private static Dictionary<string, StepSource> UniqueSteps(WorkflowSource source, DiagnosticBag diagnostics)
    {
        var steps = new Dictionary<string, StepSource>(StringComparer.Ordinal);
        foreach (var step in source.Steps.Where(step => !string.IsNullOrEmpty(step.Name)))
        {
            if (steps.TryGetValue(step.Name!, out var first))
            {
                diagnostics.Error(step.NameNode ?? step.Node, WorkflowDiagnosticCode.DuplicateStep,
                    $"Two steps are named '{step.Name}' (the first at line {first.NameNode?.Start.Line ?? first.Node.Start.Line}). Give each step a unique name.");
                continue;
            }
            steps[step.Name!] = step;
        }
        return steps;
    }

    /// <summary>
    /// One cycle per strongly connected component (Tarjan), starting at the component's first
    /// step in file order and closing on it: [a, b, c, a].
    /// </summary>
    private static List<List<StepSource>> Cycles(Dictionary<string, StepSource> steps)
    {
        IEnumerable<StepSource> Next(StepSource step) =>
            step.DependsOn.Select(dependency => dependency.Name).Distinct().Where(steps.ContainsKey).Select(name => steps[name]);

        var index = new Dictionary<StepSource, int>();
        var low = new Dictionary<StepSource, int>();
        var stack = new Stack<StepSource>();
        var components = new List<List<StepSource>>();

        void Visit(StepSource step)
        {
            index[step] = low[step] = index.Count;
            stack.Push(step);
            foreach (var next in Next(step))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[step] = Math.Min(low[step], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[step] = Math.Min(low[step], index[next]);
                }
            }
            if (low[step] == index[step])
            {
                var component = new List<StepSource>();
                StepSource member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != step);
                components.Add(component);
            }
        }

        foreach (var step in steps.Values.Where(step => !index.ContainsKey(step)))
        {
            Visit(step);
        }

        return components
            .Where(component => component.Count > 1 || Next(component[0]).Contains(component[0]))
            .Select(component => ShortestLoop(component, Next))
            .OrderBy(cycle => cycle[0].Index)
            .ToList();
    }

    /// <summary>The shortest path from the component's first step back to itself.</summary>
    private static List<StepSource> ShortestLoop(List<StepSource> component, Func<StepSource, IEnumerable<StepSource>> next)
    {
        var start = component.MinBy(step => step.Index)!;
        var members = component.ToHashSet();
        var cameFrom = new Dictionary<StepSource, StepSource>();
        var queue = new Queue<StepSource>([start]);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var neighbour in next(current).Where(members.Contains))
            {
                if (neighbour == start)
                {
                    var path = new List<StepSource> { start };
                    for (var at = current; at != start; at = cameFrom[at])
                    {
                        path.Insert(1, at);
                    }
                    path.Add(start);
                    return path;
                }
                if (cameFrom.TryAdd(neighbour, current))
                {
                    queue.Enqueue(neighbour);
                }
            }
        }
        return [start, start];
    }
}
