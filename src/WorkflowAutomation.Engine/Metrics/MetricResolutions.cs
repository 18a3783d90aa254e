using WorkflowAutomation.Common;
namespace WorkflowAutomation.Metrics;

/// <summary>Labels ("Raw", "1m" … "1d"), bucket sizes and rollup table names of each resolution.</summary>
public static class MetricResolutions
{
    /// <summary>The labels users type, in the order of <see cref="MetricResolution"/>.</summary>
    public static readonly IReadOnlyList<string> Labels = ["Raw", "1m", "5m", "15m", "1h", "1d"];

    /// <summary>The rollup resolutions, finest first.</summary>
    public static readonly IReadOnlyList<MetricResolution> Rollups =
    [
        MetricResolution.OneMinute, MetricResolution.FiveMinutes, MetricResolution.FifteenMinutes,
        MetricResolution.OneHour, MetricResolution.OneDay,
    ];

    public static string Label(this MetricResolution resolution) => Labels[(int)resolution];

    /// <summary>Bucket size in milliseconds (0 for raw).</summary>
    public static long BucketMilliseconds(this MetricResolution resolution) => resolution switch
    {
        MetricResolution.OneMinute => 60_000,
        MetricResolution.FiveMinutes => 300_000,
        MetricResolution.FifteenMinutes => 900_000,
        MetricResolution.OneHour => 3_600_000,
        MetricResolution.OneDay => 86_400_000,
        _ => 0,
    };

    internal static string Table(this MetricResolution resolution) =>
        resolution == MetricResolution.Raw ? "samples" : "rollup_" + resolution.Label();

    /// <summary>Parses "Raw", "1m", "5m", "15m", "1h" or "1d" (case-insensitive) or an enum name.</summary>
    public static MetricResolution Parse(string text)
    {
        for (var i = 0; i < Labels.Count; i++)
        {
            if (string.Equals(Labels[i], text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (MetricResolution)i;
            }
        }
        if (Enum.TryParse<MetricResolution>(text, ignoreCase: true, out var named))
        {
            return named;
        }
        throw new MetricException(ErrorIds.MetricResolutionInvalid, Common.ErrorKind.InvalidArgument,
            $"'{text}' is not a resolution. Use one of: {string.Join(", ", Labels)}.");
    }

    /// <summary>Floor of a timestamp to the start of its bucket.</summary>
    internal static long BucketStart(long timestampMs, long sizeMs) => timestampMs - (((timestampMs % sizeMs) + sizeMs) % sizeMs);
}
