using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Reads a step's chaos settings, from a step's chaos: key or from a chaos profile.</summary>
internal static class StepChaosReader
{
    /// <summary>chaos: { fault_rate: 0.5, latency: 200ms, kill_after: 2s }</summary>
    public static StepChaos? Read(YamlValues values, YamlNode node, string what)
    {
        var entries = YamlMapping.Read(values, node, what, WorkflowKeys.StepChaos, []);
        if (entries is null)
        {
            return null;
        }
        double Rate(string key, double fallback)
        {
            if (!entries.TryGetValue(key, out var entry))
            {
                return fallback;
            }
            if (entry.Value is YamlScalarNode { Value: { } text }
                && double.TryParse(text.TrimEnd('%'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var rate))
            {
                rate = text.EndsWith('%') ? rate / 100 : rate;
                if (rate is >= 0 and <= 1)
                {
                    return rate;
                }
            }
            values.Diagnostics.Error(entry.Value, WorkflowDiagnosticCode.OutOfRange, $"'{key}' of {what} must be a rate from 0 to 1 (or 0% to 100%), not {YamlValues.Show(entry.Value)}.");
            return fallback;
        }
        return new StepChaos
        {
            FaultRate = Rate("fault_rate", 0),
            Latency = Optional(entries, "latency", value => values.Duration(value, $"'latency' of {what}", allowZero: true)),
            LatencyRate = Rate("latency_rate", 1),
            KillAfter = Optional(entries, "kill_after", value => values.Duration(value, $"'kill_after' of {what}", allowZero: false)),
            KillRate = Rate("kill_rate", 1),
            Seed = Optional(entries, "seed", value => values.Integer(value, $"'seed' of {what}", 0)),
        };
    }

    private static T? Optional<T>(Dictionary<string, YamlEntry> entries, string key, Func<YamlNode, T?> read)
        where T : struct =>
        entries.TryGetValue(key, out var entry) ? read(entry.Value) : null;
}
