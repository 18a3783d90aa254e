using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>The order a workflow's steps run in: dependencies per mode, ancestors, and waves for -WhatIf.</summary>
public static class ExecutionPlan
{
    /// <summary>
    /// What each step waits for. Sequential mode adds file order: a step waits for the whole
    /// previous group, where a group is one step or a run of consecutive <c>parallel: true</c> steps.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> Dependencies(WorkflowDefinition definition)
    {
        var known = definition.Steps.Select(step => step.Name).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        List<string> previousGroup = [];
        List<string> currentGroup = [];
        WorkflowStep? previous = null;
        foreach (var step in definition.Steps)
        {
            var waits = step.DependsOn.Where(known.Contains).ToList();
            if (definition.ExecutionMode == ExecutionMode.Sequential)
            {
                if (!(step.Parallel && previous is { Parallel: true }))
                {
                    previousGroup = currentGroup;
                    currentGroup = [];
                }
                waits.AddRange(previousGroup);
                currentGroup.Add(step.Name);
            }
            result[step.Name] = waits.Distinct().ToList();
            previous = step;
        }
        return result;
    }

    /// <summary>Every step a step depends on, directly or not.</summary>
    public static Dictionary<string, HashSet<string>> Ancestors(IReadOnlyDictionary<string, IReadOnlyList<string>> dependencies)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> Visit(string name, HashSet<string> path)
        {
            if (result.TryGetValue(name, out var known))
            {
                return known;
            }
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (path.Add(name))
            {
                foreach (var parent in dependencies[name])
                {
                    set.Add(parent);
                    set.UnionWith(Visit(parent, path));
                }
                path.Remove(name);
            }
            result[name] = set;
            return set;
        }
        foreach (var name in dependencies.Keys)
        {
            Visit(name, []);
        }
        return result;
    }

    /// <summary>The waves steps run in when nothing fails: wave 1 has no dependencies, wave n waits for wave n-1.</summary>
    public static IReadOnlyList<PlannedStep> Waves(WorkflowDefinition definition, IReadOnlyDictionary<string, object?> inputs)
    {
        var dependencies = Dependencies(definition);
        var wave = new Dictionary<string, int>(StringComparer.Ordinal);
        int WaveOf(string name, int depth) =>
            wave.TryGetValue(name, out var known) ? known
            : wave[name] = depth > dependencies.Count ? 1 : 1 + dependencies[name].Select(parent => WaveOf(parent, depth + 1)).DefaultIfEmpty(0).Max();
        return definition.Steps
            .Select(step =>
            {
                var context = new PlanContext(definition, inputs, step.Shell);
                return new PlannedStep
                {
                    Wave = WaveOf(step.Name, 0),
                    Name = step.Name,
                    Shell = step.Shell,
                    DependsOn = dependencies[step.Name],
                    Condition = step.Condition ?? "success()",
                    Command = Safe(() => Expression.Interpolate(step.Command, context)),
                    ApprovalRequired = step.ApprovalRequired,
                    Rollback = step.Rollback is null ? null : Safe(() => Expression.Interpolate(step.Rollback, context)),
                };
            })
            .OrderBy(step => step.Wave)
            .ToList();
    }

    private static string Safe(Func<string> interpolate)
    {
        try
        {
            return interpolate();
        }
        catch (ExpressionException exception)
        {
            return "(cannot be interpolated: " + exception.Message + ")";
        }
    }

    /// <summary>Inputs and env are known before the run; step outputs are shown as placeholders.</summary>
    private sealed class PlanContext(WorkflowDefinition definition, IReadOnlyDictionary<string, object?> inputs, StepShell shell) : IExpressionContext
    {
        public StepShell? Shell => shell;

        public object? Resolve(IReadOnlyList<string> path) => path[0].ToLowerInvariant() switch
        {
            "inputs" when path.Count > 1 => inputs.TryGetValue(path[1], out var value) ? value : null,
            "env" when path.Count > 1 => definition.Env.TryGetValue(path[1], out var value) ? value : Environment.GetEnvironmentVariable(path[1]),
            "workflow" => definition.Name,
            _ => "<" + string.Join('.', path) + ">",
        };

        public bool StatusFunction(string name) => name != "failure" && name != "cancelled";
    }
}

/// <summary>A step as -WhatIf shows it: when it would run and what it would run.</summary>
public sealed class PlannedStep
{
    public int Wave { get; init; }
    public required string Name { get; init; }
    public StepShell Shell { get; init; }
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public required string Condition { get; init; }
    public required string Command { get; init; }
    public bool ApprovalRequired { get; init; }
    public string? Rollback { get; init; }

    public override string ToString() => $"wave {Wave}: {Name}";
}
