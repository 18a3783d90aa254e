using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowAutomation.Dashboard;

/// <summary>The JSON form of every API answer: camelCase, enums as names, no nulls.</summary>
internal static class DashboardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] Serialize(object? value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);
}
