using System.Text;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The canonical text form of a tag set: keys sorted ordinally, <c>key=value</c> pairs joined
/// by commas, with '\', ',' and '=' in values escaped by '\'. One series = one name + this text.
/// </summary>
public static class MetricTags
{
    /// <summary>Validates and canonicalises tags; the empty string when there are none.</summary>
    public static string Format(string metric, IEnumerable<KeyValuePair<string, string>>? tags)
    {
        if (tags is null)
        {
            return string.Empty;
        }
        var sorted = new List<KeyValuePair<string, string>>(tags);
        if (sorted.Count == 0)
        {
            return string.Empty;
        }
        sorted.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count; i++)
        {
            var (key, value) = (sorted[i].Key, sorted[i].Value);
            MetricNames.ValidateTag(metric, key, value);
            if (i > 0 && sorted[i - 1].Key == key)
            {
                throw new MetricException(ErrorIds.MetricTagInvalid, Common.ErrorKind.InvalidArgument,
                    $"Tag '{key}' of metric '{metric}' is given twice.");
            }
            if (i > 0)
            {
                text.Append(',');
            }
            text.Append(key).Append('=');
            foreach (var c in value)
            {
                if (c is '\\' or ',' or '=')
                {
                    text.Append('\\');
                }
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>Parses the canonical form (or any <c>k=v,k2=v2</c> text) back into pairs.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }
        var key = new StringBuilder();
        var value = new StringBuilder();
        var inValue = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                (inValue ? value : key).Append(text[++i]);
            }
            else if (c == '=' && !inValue)
            {
                inValue = true;
            }
            else if (c == ',')
            {
                Add();
            }
            else
            {
                (inValue ? value : key).Append(c);
            }
        }
        Add();
        return result;

        void Add()
        {
            if (key.Length > 0)
            {
                result[key.ToString().Trim()] = value.ToString().Trim();
            }
            key.Clear();
            value.Clear();
            inValue = false;
        }
    }
}
