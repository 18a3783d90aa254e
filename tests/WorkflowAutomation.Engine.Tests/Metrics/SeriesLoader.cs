using System.Globalization;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>
/// Loads series the way Prometheus' promqltest does: <c>load 10s</c> then values written as
/// <c>0+10x3 5 _</c> ("start+step x count" expands to count+1 values, '_' skips a slot), at
/// injected times.
/// </summary>
internal static class SeriesLoader
{
    public static IReadOnlyList<double?> Expand(string values)
    {
        var result = new List<double?>();
        foreach (var token in values.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "_")
            {
                result.Add(null);
                continue;
            }
            var x = token.IndexOf('x');
            if (x < 0)
            {
                result.Add(double.Parse(token, CultureInfo.InvariantCulture));
                continue;
            }
            var plus = token.IndexOf('+', 1) is var p && p > 0 ? p : token.IndexOf('-', 1);
            var start = double.Parse(token[..plus], CultureInfo.InvariantCulture);
            var step = double.Parse(token[plus..x], CultureInfo.InvariantCulture);
            var count = int.Parse(token[(x + 1)..], CultureInfo.InvariantCulture);
            for (var i = 0; i <= count; i++)
            {
                result.Add(start + (step * i));
            }
        }
        return result;
    }

    /// <summary>Records the values at start, start+interval, … and waits until they are committed.</summary>
    public static void Load(MetricStore store, string name, MetricType type, DateTimeOffset start, TimeSpan interval, string values,
        IReadOnlyDictionary<string, string>? tags = null)
    {
        var series = store.Writer.Series(name, type, tags);
        var expanded = Expand(values);
        for (var i = 0; i < expanded.Count; i++)
        {
            if (expanded[i] is { } value)
            {
                series.Record(value, start + (interval * i));
            }
        }
        store.Writer.Flush();
    }
}
