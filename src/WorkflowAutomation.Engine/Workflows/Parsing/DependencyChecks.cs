using WorkflowAutomation.Common;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Checks across steps: unique names, dependencies that exist, no cycles, and an order sequential mode can follow.</summary>
internal static class DependencyChecks
{
    public static void Run(WorkflowSource source, DiagnosticBag diagnostics)
    {
        var steps = UniqueSteps(source, diagnostics);
        CheckNameCollisions(steps.Values, diagnostics);
        foreach (var step in source.Steps)
        {
            foreach (var (name, node) in step.DependsOn.Where(dependency => !steps.ContainsKey(dependency.Name)))
            {
                diagnostics.Error(node, WorkflowDiagnosticCode.UnknownDependency,
                    $"{YamlMapping.Capitalize(step.Describe())} depends on '{name}', which is not a step of this workflow.{Hint(name, steps.Keys)}");
            }
        }
        var cycles = Cycles(steps);
        foreach (var (cycle, _) in cycles)
        {
            var first = cycle[0];
            var node = first.DependsOn.First(dependency => dependency.Name == cycle[1].Name).Node;
            diagnostics.Error(node, WorkflowDiagnosticCode.DependencyCycle,
                $"Steps depend on each other in a cycle: {string.Join(" -> ", cycle.Select(step => step.Name))} (each depends on the next). Remove one of these 'depends_on' entries so the steps can run in order.");
        }
        if (source.ExecutionMode == ExecutionMode.Sequential)
        {
            CheckFileOrder(source, steps, cycles.Select(found => found.Members).ToList(), diagnostics);
        }
    }

    /// <summary>
    /// Sequential mode runs steps in file order, so a step cannot wait for one that comes in a
    /// later group: each would wait for the other. (Within a group of parallel steps it can.)
    /// A dependency already reported as part of a cycle is not reported again.
    /// </summary>
    private static void CheckFileOrder(WorkflowSource source, Dictionary<string, StepSource> steps,
        List<HashSet<StepSource>> cyclic, DiagnosticBag diagnostics)
    {
        var group = new Dictionary<StepSource, int>();
        StepSource? previous = null;
        foreach (var step in source.Steps)
        {
            var joins = previous is not null && step.Step?.Parallel == true && previous.Step?.Parallel == true;
            group[step] = previous is null ? 0 : group[previous] + (joins ? 0 : 1);
            previous = step;
        }
        foreach (var step in source.Steps)
        {
            foreach (var (name, node) in step.DependsOn.Where(dependency => steps.ContainsKey(dependency.Name)))
            {
                var dependency = steps[name];
                if (group[dependency] > group[step] && !cyclic.Any(members => members.Contains(step) && members.Contains(dependency)))
                {
                    diagnostics.Error(node, WorkflowDiagnosticCode.DependencyOrder,
                        $"{YamlMapping.Capitalize(step.Describe())} depends on '{name}', which comes later in the file, but execution_mode sequential runs steps in file order. Move '{name}' above it, or use execution_mode: parallel.");
                }
            }
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
    /// Steps whose names differ but read the same in an environment variable ('a-b', 'a.b' and
    /// 'A_B' are all STEPS_A_B_OUTPUTS_*, and share an output file): one would read the other's outputs.
    /// </summary>
    private static void CheckNameCollisions(IEnumerable<StepSource> steps, DiagnosticBag diagnostics)
    {
        var first = new Dictionary<string, StepSource>(StringComparer.Ordinal);
        foreach (var step in steps.OrderBy(step => step.Index))
        {
            var variable = EnvironmentNames.Variable(step.Name!);
            if (!first.TryAdd(variable, step))
            {
                var other = first[variable];
                var at = other.NameNode ?? other.Node;
                diagnostics.Error(step.NameNode ?? step.Node, WorkflowDiagnosticCode.StepNameCollision,
                    $"Step '{step.Name}' and step '{other.Name}' (line {at.Start.Line}, column {at.Start.Column}) both become {variable} in environment variables " +
                    $"(STEPS_{variable}_OUTPUTS_*) and in their output file, so their outputs would mix. Rename one: names that differ only in case or in characters other than letters and digits collide.");
            }
        }
    }

    /// <summary>
    /// One cycle per strongly connected component (Tarjan), starting at the component's first
    /// step in file order and closing on it: [a, b, c, a].
    /// </summary>
    private static List<(List<StepSource> Loop, HashSet<StepSource> Members)> Cycles(Dictionary<string, StepSource> steps)
    {
        IEnumerable<StepSource> Next(StepSource step) =>
            step.DependsOn.Select(dependency => dependency.Name).Distinct().Where(steps.ContainsKey).Select(name => steps[name]);

        var index = new Dictionary<StepSource, int>();
        var low = new Dictionary<StepSource, int>();
        var stack = new Stack<StepSource>();
        var onStack = new HashSet<StepSource>();
        var components = new List<List<StepSource>>();
        // Iterative, so that a chain of thousands of steps cannot overflow the call stack.
        var work = new Stack<(StepSource Step, IEnumerator<StepSource> Next)>();

        void Open(StepSource step)
        {
            index[step] = low[step] = index.Count;
            stack.Push(step);
            onStack.Add(step);
            work.Push((step, Next(step).GetEnumerator()));
        }

        foreach (var root in steps.Values.Where(step => !index.ContainsKey(step)).ToList())
        {
            Open(root);
            while (work.TryPeek(out var frame))
            {
                if (frame.Next.MoveNext())
                {
                    var next = frame.Next.Current;
                    if (!index.ContainsKey(next))
                    {
                        Open(next);
                    }
                    else if (onStack.Contains(next))
                    {
                        low[frame.Step] = Math.Min(low[frame.Step], index[next]);
                    }
                    continue;
                }
                work.Pop();
                var step = frame.Step;
                if (work.TryPeek(out var parent))
                {
                    low[parent.Step] = Math.Min(low[parent.Step], low[step]);
                }
                if (low[step] == index[step])
                {
                    var component = new List<StepSource>();
                    StepSource member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != step);
                    components.Add(component);
                }
            }
        }

        return components
            .Where(component => component.Count > 1 || Next(component[0]).Contains(component[0]))
            .Select(component => (Loop: ShortestLoop(component, Next), Members: component.ToHashSet()))
            .OrderBy(cycle => cycle.Loop[0].Index)
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
