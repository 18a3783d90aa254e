using System.Globalization;

namespace WorkflowAutomation.Configuration;

/// <summary>One configuration key: its default, what values it allows, and what it is for.</summary>
public sealed class ConfigurationKey
{
    private readonly Func<string, object?> parse;
    private readonly Func<string> defaultValue;

    private ConfigurationKey(string name, Func<string> defaultValue, string allowed, string description, Func<string, object?> parse)
    {
        Name = name;
        this.defaultValue = defaultValue;
        Allowed = allowed;
        Description = description;
        this.parse = parse;
    }

    public string Name { get; }

    /// <summary>The allowed values in words, for error messages and help.</summary>
    public string Allowed { get; }

    public string Description { get; }

    public string DefaultText => defaultValue();

    /// <summary>Parses a textual value; null when the value is not allowed.</summary>
    public object? TryParse(string text) => parse(text.Trim());

    public static ConfigurationKey Integer(string name, Func<int> defaultValue, int min, int max, string description) =>
        new(name, () => defaultValue().ToString(CultureInfo.InvariantCulture), $"an integer from {min} to {max}", description,
            text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value : null);

    /// <summary>A duration in seconds, written either as a number or with a unit (30s, 5m, 1h).</summary>
    public static ConfigurationKey Seconds(string name, int defaultSeconds, int min, int max, string description) =>
        new(name, () => defaultSeconds.ToString(CultureInfo.InvariantCulture), $"a number of seconds from {min} to {max} (or with a unit: 30s, 5m, 1h)", description,
            text => DurationText.TryParseSeconds(text, out var seconds) && seconds >= min && seconds <= max
                ? TimeSpan.FromSeconds(seconds) : null);

    public static ConfigurationKey Boolean(string name, bool defaultValue, string description) =>
        new(name, () => defaultValue ? "true" : "false", "true or false", description,
            text => text.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                _ => null,
            });

    public static ConfigurationKey Text(string name, string defaultValue, string description) =>
        new(name, () => defaultValue, "any text without a line break", description,
            text => text.Contains('\n') ? null : text);
}

/// <summary>Durations as people write them: 30, 30s, 5m, 1h, 1d.</summary>
public static class DurationText
{
    public static bool TryParseSeconds(string text, out double seconds)
    {
        seconds = 0;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }
        var unit = char.ToLowerInvariant(text[^1]);
        var factor = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        var number = factor == 0 ? text : text[..^1];
        if (factor == 0)
        {
            factor = 1;
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
        {
            return false;
        }
        seconds = value * factor;
        return true;
    }
}
