using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WorkflowAutomation.Metrics;

/// <summary>Writes samples as Prometheus text, CSV or JSON.</summary>
public static class MetricExporter
{
    public static string Export(IEnumerable<WorkflowMetricSample> samples, MetricExportFormat format) => format switch
    {
        MetricExportFormat.Prometheus => Prometheus(samples),
        MetricExportFormat.Csv => Csv(samples),
        _ => Json(samples),
    };

    /// <summary>
    /// Prometheus text format 0.0.4: one HELP and one TYPE line per family; dots (and anything
    /// else outside [a-zA-Z0-9_:]) become underscores; counters end in _total. A series with
    /// several samples (an exported range) carries a millisecond timestamp on each line.
    /// </summary>
    public static string Prometheus(IEnumerable<WorkflowMetricSample> samples)
    {
        var text = new StringBuilder();
        var list = samples.ToList();
        var perSeries = list.GroupBy(s => (s.Name, s.Tags)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var family in list.GroupBy(s => PrometheusName(s.Name, s.Type)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = family.First();
            var type = first.Type == nameof(MetricType.Counter) ? "counter" : "gauge";
            text.Append("# HELP ").Append(family.Key).Append(' ').Append(EscapeHelp($"{first.Name} ({type})")).Append('\n');
            text.Append("# TYPE ").Append(family.Key).Append(' ').Append(type).Append('\n');
            foreach (var sample in family.OrderBy(s => s.Tags, StringComparer.Ordinal).ThenBy(s => s.Timestamp))
            {
                text.Append(family.Key).Append(Labels(sample.Tags)).Append(' ').Append(Number(sample.Value));
                if (perSeries[(sample.Name, sample.Tags)] > 1)
                {
                    text.Append(' ').Append(sample.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
                }
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The Prometheus name of a metric: app.requests (counter) is app_requests_total. Prometheus
    /// keeps the _total suffix for counters, so a gauge such as system.memory.total is
    /// system_memory_total_value (promtool check metrics flags it otherwise).
    /// </summary>
    public static string PrometheusName(string name, string type)
    {
        var sanitized = Sanitize(name, allowColon: true);
        var endsInTotal = sanitized.EndsWith("_total", StringComparison.Ordinal);
        return type == nameof(MetricType.Counter)
            ? endsInTotal ? sanitized : sanitized + "_total"
            : endsInTotal ? sanitized + "_value" : sanitized;
    }

    /// <summary>CSV with the columns Name, Timestamp (ISO-8601), Value, Type, Tags, Resolution.</summary>
    public static string Csv(IEnumerable<WorkflowMetricSample> samples)
    {
        var text = new StringBuilder("Name,Timestamp,Value,Type,Tags,Resolution\n");
        foreach (var s in samples)
        {
            text.Append(Quote(s.Name)).Append(',').Append(s.Timestamp.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(s.Value.ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(s.Type).Append(',')
                .Append(Quote(s.Tags)).Append(',').Append(s.Resolution).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A JSON array in the inbox's form: name, value, type, tags, timestamp (ISO-8601).</summary>
    public static string Json(IEnumerable<WorkflowMetricSample> samples)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var s in samples)
            {
                json.WriteStartObject();
                json.WriteString("name", s.Name);
                json.WriteNumber("value", s.Value);
                json.WriteString("type", s.Type.ToLowerInvariant());
                if (s.Tags.Length > 0)
                {
                    json.WriteStartObject("tags");
                    foreach (var (key, value) in MetricTags.Parse(s.Tags))
                    {
                        json.WriteString(key, value);
                    }
                    json.WriteEndObject();
                }
                json.WriteString("timestamp", s.Timestamp.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Labels(string tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }
        var pairs = MetricTags.Parse(tags).Select(t => $"{Sanitize(t.Key, allowColon: false)}=\"{EscapeLabel(t.Value)}\"");
        return "{" + string.Join(",", pairs) + "}";
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_').ToArray();
        var result = new string(chars);
        return char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
