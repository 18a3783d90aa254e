using WorkflowAutomation.Common;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>A key of a mapping with its value; both keep their position in the file.</summary>
internal readonly record struct YamlEntry(YamlScalarNode Key, YamlNode Value);

/// <summary>Reads a mapping against the keys a part of the format allows.</summary>
internal static class YamlMapping
{
    /// <summary>
    /// The entries of a known key. An unknown key is reported with a did-you-mean; when the
    /// suggestion is a key not written otherwise, its value is read under that key, so one
    /// typo gives one finding instead of an extra "missing key" and lost checks.
    /// </summary>
    public static Dictionary<string, YamlEntry>? Read(YamlValues values, YamlNode node, string owner,
        IReadOnlyList<string> allowed, IReadOnlyList<string> required)
    {
        if (node is not YamlMappingNode mapping)
        {
            values.Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType,
                $"{Capitalize(owner)} must be a mapping of 'key: value' lines, not {YamlValues.Kind(node)}.");
            return null;
        }
        var entries = new Dictionary<string, YamlEntry>(StringComparer.Ordinal);
        var unknown = new List<(YamlScalarNode Key, YamlNode Value, string? Suggestion)>();
        foreach (var (keyNode, value) in WithMergedKeys(values, mapping))
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                values.Diagnostics.Error(keyNode, WorkflowDiagnosticCode.InvalidType, $"Keys of {owner} must be plain names, not {YamlValues.Kind(keyNode)}.");
                continue;
            }
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                // Extension fields (as in Compose and OpenAPI): a place for anchors to share.
                continue;
            }
            if (allowed.Contains(key, StringComparer.Ordinal))
            {
                entries[key] = new YamlEntry(scalarKey, value);
            }
            else
            {
                unknown.Add((scalarKey, value, DidYouMean.Closest(key, allowed)));
            }
        }
        foreach (var (key, value, suggestion) in unknown)
        {
            var hint = suggestion is not null
                ? $"Did you mean '{suggestion}'?"
                : $"Use one of: {string.Join(", ", allowed)}.";
            values.Diagnostics.Error(key, WorkflowDiagnosticCode.UnknownKey, $"Unknown key '{key.Value}' in {owner}. {hint}");
            if (suggestion is not null && !entries.ContainsKey(suggestion))
            {
                entries[suggestion] = new YamlEntry(key, value);
            }
        }
        foreach (var key in required.Where(key => !entries.ContainsKey(key)))
        {
            values.Diagnostics.Error(mapping, WorkflowDiagnosticCode.MissingKey, $"{Capitalize(owner)} has no '{key}'. Add '{key}:' with a value.");
        }
        return entries;
    }

    /// <summary>
    /// The mapping's own entries, then those of '&lt;&lt;: *anchor' merge keys that it does not
    /// set itself (YAML's merge key: written keys win over merged ones).
    /// </summary>
    private static IEnumerable<KeyValuePair<YamlNode, YamlNode>> WithMergedKeys(YamlValues values, YamlMappingNode mapping)
    {
        var merged = new List<KeyValuePair<YamlNode, YamlNode>>();
        foreach (var entry in mapping.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: "<<" })
            {
                yield return entry;
                continue;
            }
            var sources = entry.Value is YamlSequenceNode sequence ? sequence.Children : [entry.Value];
            foreach (var source in sources)
            {
                if (source is YamlMappingNode shared)
                {
                    merged.AddRange(shared.Children);
                }
                else
                {
                    values.Diagnostics.Error(source, WorkflowDiagnosticCode.InvalidType,
                        $"'<<' merges a mapping, such as '<<: *defaults', not {YamlValues.Kind(source)}.");
                }
            }
        }
        var own = mapping.Children.Keys.OfType<YamlScalarNode>().Select(key => key.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in merged.Where(entry => entry.Key is not YamlScalarNode scalar || own.Add(scalar.Value)))
        {
            yield return entry;
        }
    }

    public static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
