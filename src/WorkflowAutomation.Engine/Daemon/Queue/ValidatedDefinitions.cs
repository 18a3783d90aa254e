using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The definitions the daemon validated lately, by file and text: a workflow submitted again
/// unchanged (a loop, a nightly resubmit) is not parsed again. A definition is immutable once
/// parsed, so runs share it. Only valid, small definitions are kept; the oldest go first.
/// </summary>
internal sealed class ValidatedDefinitions(WorkflowParseOptions options)
{
    /// <summary>Definitions kept. The default value is 128.</summary>
    public const int MaxEntries = 128;

    /// <summary>Texts longer than this are parsed each time rather than kept. The default value is 64 Ki characters.</summary>
    public const int MaxTextLength = 64 * 1024;

    private readonly Dictionary<(string Path, string Text), LinkedListNode<(string Path, string Text, WorkflowDefinition Definition)>> entries = [];
    private readonly LinkedList<(string Path, string Text, WorkflowDefinition Definition)> byAge = new();

    /// <summary>The validated definition, or <see cref="WorkflowDefinitionException"/> naming file, line and what to do.</summary>
    public WorkflowDefinition Get(string text, string path)
    {
        lock (entries)
        {
            if (entries.TryGetValue((path, text), out var kept))
            {
                byAge.Remove(kept);
                byAge.AddFirst(kept);
                return kept.Value.Definition;
            }
        }
        var validation = WorkflowParser.Parse(text, path, options);
        var definition = validation.Definition ?? throw new WorkflowDefinitionException(validation);
        if (text.Length <= MaxTextLength)
        {
            lock (entries)
            {
                if (!entries.ContainsKey((path, text)))
                {
                    entries[(path, text)] = byAge.AddFirst((path, text, definition));
                    if (entries.Count > MaxEntries)
                    {
                        entries.Remove((byAge.Last!.Value.Path, byAge.Last.Value.Text));
                        byAge.RemoveLast();
                    }
                }
            }
        }
        return definition;
    }
}
