using System.Globalization;
using System.Text.RegularExpressions;
using WorkflowAutomation.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Reads typed values out of YAML nodes. Each reader reports a precise finding for a value
/// of the wrong kind and returns null, so the caller carries on with the rest of the file.
/// </summary>
internal sealed partial class YamlValues(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    /// <summary>A plain ~, null or nothing at all: YAML's null.</summary>
    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    public static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "empty",
        _ => "text",
    };

    /// <summary>Text; null (reported) for a list or a mapping, or for an empty value when <paramref name="required"/>.</summary>
    public string? Text(YamlNode node, string what, bool required = false)
    {
        if (node is not YamlScalarNode scalar)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{what} must be text, not {Kind(node)}.");
            return null;
        }
        var value = IsNull(scalar) ? null : scalar.Value;
        if (required && string.IsNullOrWhiteSpace(value))
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidValue, $"{what} must not be empty.");
            return null;
        }
        return value;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int? Integer(YamlNode node, string what, int min, int max = int.MaxValue)
    {
        if (Number(node, what, "a whole number") is not { } number)
        {
            return null;
        }
        if (number != Math.Floor(number))
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{what} must be a whole number, not {Show(node)}.");
            return null;
        }
        if (number < min || number > max)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.OutOfRange, $"{what} must be {Range(min, max)}; {Show(node)} is outside that range.");
            return null;
        }
        return (int)number;
    }

    /// <summary>A duration: seconds as a number, or a number with a unit (500ms, 30s, 5m, 2h).</summary>
    public TimeSpan? Duration(YamlNode node, string what, bool allowZero)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar) && DurationWithUnit().Match(scalar.Value!.Trim()) is { Success: true } match)
        {
            var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            var duration = match.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
            return CheckDuration(node, what, allowZero, duration);
        }
        if (Number(node, what, "a number of seconds (or a duration such as 30s, 5m, 2h)") is not { } seconds)
        {
            return null;
        }
        if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.OutOfRange, $"{what} of {Show(node)} seconds is too long.");
            return null;
        }
        return CheckDuration(node, what, allowZero, TimeSpan.FromSeconds(seconds));
    }

    private TimeSpan? CheckDuration(YamlNode node, string what, bool allowZero, TimeSpan duration)
    {
        if (duration < TimeSpan.Zero || (!allowZero && duration == TimeSpan.Zero))
        {
            var limit = allowZero ? "0 or more seconds" : "more than 0 seconds";
            Diagnostics.Error(node, WorkflowDiagnosticCode.OutOfRange, $"{what} must be {limit}; {Show(node)} is outside that range.");
            return null;
        }
        return duration;
    }

    public bool? Boolean(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            switch (scalar.Value!.Trim().ToLowerInvariant())
            {
                case "true" or "yes" or "on":
                    return true;
                case "false" or "no" or "off":
                    return false;
            }
        }
        Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{what} must be true or false, not {Show(node)}.");
        return null;
    }

    /// <summary>One of the lower-case names of <typeparamref name="T"/>, with a did-you-mean for a typo.</summary>
    public T? Choice<T>(YamlNode node, string what, string code, IReadOnlyDictionary<string, string>? synonyms = null)
        where T : struct, Enum
    {
        var names = Enum.GetNames<T>().Select(name => name.ToLowerInvariant()).ToList();
        if (node is YamlScalarNode scalar && !IsNull(scalar) && Enum.TryParse<T>(scalar.Value!.Trim(), ignoreCase: true, out var value)
            && !int.TryParse(scalar.Value, out _))
        {
            return value;
        }
        var given = node is YamlScalarNode { Value: { } text } ? text.Trim() : string.Empty;
        var hint = synonyms is not null && synonyms.TryGetValue(given.ToLowerInvariant(), out var synonym)
            ? $" Did you mean '{synonym}'?"
            : DidYouMean.Hint(given, names);
        Diagnostics.Error(node, code, $"{what} must be one of {string.Join(", ", names)}, not {Show(node)}.{hint}");
        return null;
    }

    /// <summary>A mapping of environment variable names to text values.</summary>
    public Dictionary<string, string> Environment(YamlNode node, string owner)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{YamlMapping.Capitalize(owner)} must be a mapping of variable names to values, such as 'STAGE: prod', not {YamlValues.Kind(node)}.");
            return env;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || !EnvironmentName().IsMatch(name))
            {
                Diagnostics.Error(keyNode, WorkflowDiagnosticCode.InvalidEnvironmentName,
                    $"{YamlValues.Show(keyNode)} in {owner} is not a usable environment variable name. Use letters, digits and '_', starting with a letter or '_'.");
                continue;
            }
            if (Text(value, $"The value of {name} in {owner}") is var text && value is YamlScalarNode)
            {
                env[name] = text ?? string.Empty;
            }
        }
        return env;
    }

    /// <summary>How a value is shown in a message: quoted text, or its kind for a list or mapping.</summary>
    public static string Show(YamlNode node) =>
        node is YamlScalarNode scalar && !IsNull(scalar) ? $"'{scalar.Value}'" : Kind(node);

    private double? Number(YamlNode node, string what, string expected)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar)
            && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return number;
        }
        Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{what} must be {expected}, not {Show(node)}.");
        return null;
    }

    private static string Range(int min, int max) =>
        max == int.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)\s*(?<unit>ms|s|m|h)$")]
    private static partial Regex DurationWithUnit();
}
