using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// Lets -Tag take a hashtable (<c>@{ env = 'prod' }</c>), an object's properties, or the text
/// form that Get-WorkflowMetric writes (<c>env=prod,host=web1</c>), so samples pipe back in.
/// </summary>
public sealed class MetricTagTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case null:
                return null;
            case IDictionary dictionary:
                var table = new Hashtable(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    table[LanguagePrimitives.ConvertTo<string>(entry.Key)] = LanguagePrimitives.ConvertTo<string>(entry.Value);
                }
                return table;
            case string text:
                var parsed = new Hashtable(StringComparer.Ordinal);
                foreach (var (key, tag) in MetricTags.Parse(text))
                {
                    parsed[key] = tag;
                }
                return parsed;
            case PSCustomObject when inputData is PSObject custom:
                var properties = new Hashtable(StringComparer.Ordinal);
                foreach (var property in custom.Properties)
                {
                    properties[property.Name] = LanguagePrimitives.ConvertTo<string>(property.Value);
                }
                return properties;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"Tags must be a hashtable such as @{{ env = 'prod' }} or text such as 'env=prod,host=web1', not {value.GetType().Name}.");
        }
    }

    /// <summary>The engine's form of a bound -Tag value.</summary>
    public static IReadOnlyDictionary<string, string>? ToTags(Hashtable? table)
    {
        if (table is null || table.Count == 0)
        {
            return null;
        }
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            tags[LanguagePrimitives.ConvertTo<string>(entry.Key)] = LanguagePrimitives.ConvertTo<string>(entry.Value);
        }
        return tags;
    }
}
