using YamlDotNet.Core.Events;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Reports every repeated key of a mapping and drops the repetition (the first one wins).</summary>
internal static class DuplicateKeyFilter
{
    public static List<ParsingEvent> Apply(IReadOnlyList<ParsingEvent> events, DiagnosticBag diagnostics)
    {
        var kept = new List<ParsingEvent>(events.Count);
        // One frame per open collection; mappings alternate key, value, key, value…
        var frames = new Stack<Frame>();
        for (var i = 0; i < events.Count; i++)
        {
            var current = events[i];
            if (frames.TryPeek(out var frame) && frame.IsMapping && frame.ExpectKey && current is Scalar key)
            {
                if (frame.Keys.TryGetValue(key.Value, out var first))
                {
                    diagnostics.Error(key.Start, WorkflowDiagnosticCode.DuplicateKey,
                        $"The key '{key.Value}' appears twice in this mapping (first at line {first}). Keep one of them.");
                    i = SkipNode(events, i + 1) - 1;  // the value of the repeated key
                    continue;
                }
                frame.Keys[key.Value] = (int)key.Start.Line;
            }

            if (frames.TryPeek(out frame) && frame.IsMapping && current is not MappingEnd and not SequenceEnd)
            {
                // Any node (scalar, alias, or the start of a collection) flips key/value.
                frame.ExpectKey = !frame.ExpectKey;
            }
            kept.Add(current);
            switch (current)
            {
                case MappingStart:
                    frames.Push(new Frame(isMapping: true));
                    break;
                case SequenceStart:
                    frames.Push(new Frame(isMapping: false));
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    break;
            }
        }
        return kept;
    }

    /// <summary>The index just past the node that starts at <paramref name="index"/>.</summary>
    private static int SkipNode(IReadOnlyList<ParsingEvent> events, int index)
    {
        var depth = 0;
        do
        {
            depth += events[index] switch
            {
                MappingStart or SequenceStart => 1,
                MappingEnd or SequenceEnd => -1,
                _ => 0,
            };
            index++;
        }
        while (depth > 0 && index < events.Count);
        return index;
    }

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
        public bool ExpectKey { get; set; } = true;
        public Dictionary<string, int> Keys { get; } = new(StringComparer.Ordinal);
    }
}
