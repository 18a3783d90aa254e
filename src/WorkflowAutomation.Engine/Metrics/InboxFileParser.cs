using System.Globalization;
using System.Text.Json;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>One entry of a custom-metrics file, before it is bound to a series.</summary>
internal sealed record InboxEntry(string Name, double Value, MetricType Type, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? Timestamp);

/// <summary>
/// Reads the seed's custom-metrics form: a JSON array of
/// <c>{"name": "app.requests", "value": 1234, "type": "counter", "tags": {"env": "prod"}, "timestamp": 1767225600}</c>
/// (type defaults to gauge; timestamp is Unix seconds or ISO-8601 text, default now). A single
/// object is accepted too. Any problem fails the whole file, naming the entry and what to fix.
/// </summary>
internal static class InboxFileParser
{
    private static readonly string[] Keys = ["name", "value", "type", "tags", "timestamp"];

    public static List<InboxEntry> Parse(byte[] content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException exception)
        {
            throw Invalid($"it is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, byte {(exception.BytePositionInLine ?? 0) + 1}): " +
                $"{exception.Message.Split(" Path:")[0]} Write an array such as [{{\"name\": \"app.requests\", \"value\": 1234, \"type\": \"counter\"}}].");
        }
        using (document)
        {
            var root = document.RootElement;
            var elements = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                JsonValueKind.Object => [root],
                _ => throw Invalid("it must hold an array of metric objects (or one object)."),
            };
            return elements.Select((element, index) => Entry(element, index + 1)).ToList();
        }
    }

    private static InboxEntry Entry(JsonElement element, int number)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"entry {number} is not an object with name and value.");
        }
        string? name = null;
        double? value = null;
        var type = MetricType.Gauge;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? timestamp = null;
        foreach (var property in element.EnumerateObject())
        {
            var where = $"entry {number}{(name is null ? "" : $" ('{name}')")}";
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    name = property.Value.GetString();
                    break;
                case "value" when property.Value.ValueKind == JsonValueKind.Number:
                    value = property.Value.GetDouble();
                    break;
                case "type" when property.Value.ValueKind == JsonValueKind.String
                    && Enum.TryParse<MetricType>(property.Value.GetString(), ignoreCase: true, out var parsedType):
                    type = parsedType;
                    break;
                case "tags" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var tag in property.Value.EnumerateObject())
                    {
                        tags[tag.Name] = tag.Value.ValueKind switch
                        {
                            JsonValueKind.String => tag.Value.GetString()!,
                            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => tag.Value.GetRawText(),
                            _ => throw Invalid($"{where}: tag '{tag.Name}' must be a string."),
                        };
                    }
                    break;
                case "timestamp":
                    timestamp = Timestamp(property.Value) ?? throw Invalid(
                        $"{where}: 'timestamp' must be Unix seconds (a number) or ISO-8601 text such as 2026-01-01T00:00:00Z.");
                    break;
                case "name" or "value" or "type" or "tags":
                    throw Invalid($"{where}: '{property.Name}' has the wrong kind of value: " + property.Name switch
                    {
                        "name" => "it must be text such as \"app.requests\".",
                        "value" => "it must be a number.",
                        "type" => "it must be \"counter\" or \"gauge\".",
                        _ => "it must be an object of text values such as {\"env\": \"prod\"}.",
                    });
                default:
                    throw Invalid($"{where}: unknown key '{property.Name}'.{DidYouMean.Hint(property.Name, Keys)} Known keys: {string.Join(", ", Keys)}.");
            }
        }
        if (name is null || value is null)
        {
            throw Invalid($"entry {number} needs both \"name\" and \"value\".");
        }
        return new InboxEntry(name, value.Value, type, tags, timestamp);
    }

    private static DateTimeOffset? Timestamp(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && double.IsFinite(seconds)
            && seconds is > 0 and < 253_402_300_799)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        }
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }
        return null;
    }

    private static MetricException Invalid(string problem) => new(ErrorIds.MetricInboxFileInvalid, ErrorKind.InvalidData, problem);
}
