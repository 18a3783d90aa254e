using System.Text.RegularExpressions;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>Rules for metric names and tags, and wildcard matching of names.</summary>
public static partial class MetricNames
{
    /// <summary>Longest name or tag value accepted.</summary>
    public const int MaxLength = 200;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.:-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TagKeyPattern();

    /// <summary>Throws MetricNameInvalid unless the name is dotted words such as app.requests.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxLength || !NamePattern().IsMatch(name))
        {
            throw new MetricException(ErrorIds.MetricNameInvalid, ErrorKind.InvalidArgument,
                $"'{name}' is not a valid metric name. Use letters, digits, '_', '-', ':' and dots, starting with a letter, " +
                $"at most {MaxLength} characters, such as app.requests or system.cpu.usage.");
        }
        return name;
    }

    /// <summary>Throws MetricTagInvalid for a key that is not an identifier or a value that is empty or too long.</summary>
    public static void ValidateTag(string metric, string key, string? value)
    {
        if (!TagKeyPattern().IsMatch(key) || key.Length > MaxLength)
        {
            throw new MetricException(ErrorIds.MetricTagInvalid, ErrorKind.InvalidArgument,
                $"Tag '{key}' of metric '{metric}' is not a valid tag name. Use letters, digits and '_', starting with a letter, such as host or env.");
        }
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            throw new MetricException(ErrorIds.MetricTagInvalid, ErrorKind.InvalidArgument,
                $"Tag '{key}' of metric '{metric}' needs a value of 1 to {MaxLength} characters.");
        }
    }
}
