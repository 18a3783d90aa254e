using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Reads YAML text into the representation model (every node keeps its line and column).
/// Duplicate keys are reported and dropped at the event level first: YamlStream would
/// otherwise stop at the first one and hide every other problem of the file.
/// </summary>
internal static partial class YamlLoader
{
    private const int MaxDepth = 100;

    public static YamlNode? Load(string text, DiagnosticBag diagnostics)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (bytes > WorkflowLimits.MaxFileBytes)
        {
            diagnostics.Add(1, 1, DiagnosticSeverity.Error, WorkflowDiagnosticCode.LimitExceeded, WorkflowLimits.FileTooLarge(bytes));
            return null;
        }
        var events = new List<ParsingEvent>();
        try
        {
            var parser = new Parser(new StringReader(text));
            var depth = 0;
            var nodes = new ExpandedNodeCounter();
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (!nodes.Add(current))
                {
                    // Checked as the events stream by: an alias bomb is refused before any tree is built.
                    diagnostics.Error(current.Start, WorkflowDiagnosticCode.LimitExceeded,
                        $"This file holds more than {WorkflowLimits.MaxNodes:N0} YAML nodes once its aliases are expanded (each '*alias' counts its whole anchored value again), and this is where the limit is passed. A workflow needs far fewer: use fewer aliases or split the file.");
                    return null;
                }
                depth += current switch
                {
                    MappingStart or SequenceStart => 1,
                    MappingEnd or SequenceEnd => -1,
                    _ => 0,
                };
                if (depth > MaxDepth)
                {
                    // Stop reading at once: the parser slows down and building the node tree
                    // recurses on absurd nesting; a workflow needs a handful of levels.
                    diagnostics.Error(current.Start, WorkflowDiagnosticCode.YamlSyntax,
                        $"The YAML nests lists and mappings more than {MaxDepth} levels deep here. A workflow needs a handful: flatten it.");
                    return null;
                }
                events.Add(current);
            }
        }
        catch (YamlException exception)
        {
            diagnostics.Error(exception.Start, WorkflowDiagnosticCode.YamlSyntax,
                $"This is not valid YAML: {Describe(exception)} Check the indentation, quotes and colons here.");
            return null;
        }
        catch (InvalidOperationException)
        {
            // The scanner gives up on some malformed input without a position: point just past
            // the last well-formed part.
            diagnostics.Error(events.Count > 0 ? events[^1].End : Mark.Empty, WorkflowDiagnosticCode.YamlSyntax,
                "This is not valid YAML after this point. Check the indentation, quotes, brackets and colons here.");
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new EventListParser(DuplicateKeyFilter.Apply(events, diagnostics)));
        }
        catch (YamlException exception)
        {
            // Anchors and aliases are resolved here: an alias to an unknown anchor ends up in this branch.
            diagnostics.Error(exception.Start, WorkflowDiagnosticCode.YamlSyntax,
                $"This is not valid YAML: {Describe(exception)} Check the anchors and aliases here.");
            return null;
        }
        catch (ArgumentException)
        {
            // Two equal keys that are not plain text (such as '? [a]' twice) pass the duplicate filter.
            diagnostics.Add(1, 1, DiagnosticSeverity.Error, WorkflowDiagnosticCode.DuplicateKey,
                "A mapping holds the same complex key twice. Use plain names as keys.");
            return null;
        }

        if (stream.Documents.Count == 0 || IsEmpty(stream.Documents[0].RootNode))
        {
            diagnostics.Add(1, 1, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidDocument,
                "The file holds no workflow. Start it with 'name:' and 'steps:'.");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            diagnostics.Error(stream.Documents[1].RootNode, WorkflowDiagnosticCode.InvalidDocument,
                "A workflow file holds one YAML document; this is a second one. Remove the '---' separator or move this workflow to a file of its own.");
        }
        return stream.Documents[0].RootNode;
    }

    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } scalar && YamlValues.IsNull(scalar);

    /// <summary>YamlDotNet's message without the "(Line: 3, Col: 5, Idx: 20) - (…):" prefix: the diagnostic carries the position.</summary>
    private static string Describe(YamlException exception)
    {
        var message = PositionPrefix().Replace(exception.Message, string.Empty).Trim();
        if (exception.InnerException is { } inner && !string.IsNullOrWhiteSpace(inner.Message))
        {
            message = PositionPrefix().Replace(inner.Message, string.Empty).Trim();
        }
        return message.EndsWith('.') ? message : message + ".";
    }

    [GeneratedRegex(@"^\s*\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PositionPrefix();

    /// <summary>Replays a list of events as a parser.</summary>
    private sealed class EventListParser(IReadOnlyList<ParsingEvent> events) : IParser
    {
        private int index = -1;

        public ParsingEvent? Current => index >= 0 && index < events.Count ? events[index] : null;

        public bool MoveNext()
        {
            if (index < events.Count)
            {
                index++;
            }
            return index < events.Count;
        }
    }
}
