using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>A step as written, with the nodes the cross-step checks point at.</summary>
internal sealed class StepSource
{
    public required int Index { get; init; }
    public required YamlNode Node { get; init; }
    public string? Name { get; set; }
    public YamlNode? NameNode { get; set; }
    public List<(string Name, YamlScalarNode Node)> DependsOn { get; } = [];
    public YamlScalarNode? ConditionNode { get; set; }
    /// <summary>The command and rollback texts, which the interpolation check reads.</summary>
    public List<YamlScalarNode> CommandNodes { get; } = [];
    /// <summary>The step as built; it only reaches a definition when the whole file is free of errors.</summary>
    public WorkflowStep? Step { get; set; }

    public string Describe() => Name is null ? $"step {Index + 1}" : $"step '{Name}'";
}
