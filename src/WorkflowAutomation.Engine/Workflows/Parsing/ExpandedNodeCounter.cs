using YamlDotNet.Core.Events;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Counts the nodes a YAML event stream stands for once aliases are expanded, as the events
/// arrive: an anchored value's size is remembered, and every alias to it adds that size again.
/// This is what bounds an alias bomb (a few hundred bytes that expand to billions of nodes),
/// without expanding anything.
/// </summary>
internal sealed class ExpandedNodeCounter
{
    private readonly Dictionary<string, long> anchorSizes = new(StringComparer.Ordinal);
    private readonly Stack<(string? Anchor, long Size)> open = new();
    private long total;

    /// <summary>Adds one event; false once the expanded total passes <see cref="WorkflowLimits.MaxNodes"/>.</summary>
    public bool Add(ParsingEvent current)
    {
        switch (current)
        {
            case Scalar scalar:
                return Count(scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1);
            case AnchorAlias alias:
                return Count(null, anchorSizes.GetValueOrDefault(alias.Value.Value, 1));
            case NodeEvent collection and (MappingStart or SequenceStart):
                open.Push((collection.Anchor.IsEmpty ? null : collection.Anchor.Value, 1));
                return true;
            case MappingEnd or SequenceEnd when open.TryPop(out var finished):
                return Count(finished.Anchor, finished.Size);
            default:
                return true;
        }
    }

    private bool Count(string? anchor, long size)
    {
        if (anchor is not null)
        {
            anchorSizes[anchor] = size;
        }
        if (open.TryPop(out var parent))
        {
            parent.Size += size;
            open.Push(parent);
            return parent.Size <= WorkflowLimits.MaxNodes;
        }
        total += size;
        return total <= WorkflowLimits.MaxNodes;
    }
}
