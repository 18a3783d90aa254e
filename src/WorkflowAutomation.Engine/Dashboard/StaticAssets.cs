using System.Collections.Concurrent;
using System.Reflection;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// The pages' files, embedded in the engine assembly (the dashboard works offline and a
/// module install carries it whole). Resource names are "dashboard/&lt;path&gt;".
/// </summary>
internal static class StaticAssets
{
    private const string Prefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(StaticAssets).Assembly;
    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    /// <summary>The paths every page is served from: the app decides what to show by the path.</summary>
    public static readonly IReadOnlyList<string> PagePaths =
        ["/", "/workflows", "/runs/{id}", "/system", "/performance", "/metrics-explorer", "/breakers", "/schedules", "/chaos"];

    public static IEnumerable<string> Names =>
        Assembly.GetManifestResourceNames().Where(name => name.StartsWith(Prefix, StringComparison.Ordinal)).Select(name => name[Prefix.Length..]);

    /// <summary>The bytes of an asset, or null when there is none by that name (no path escapes the set: names are looked up, not opened).</summary>
    public static byte[]? Read(string path) => Cache.GetOrAdd(path, static name =>
    {
        using var stream = Assembly.GetManifestResourceStream(Prefix + name);
        if (stream is null)
        {
            return null;
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".json" => "application/json; charset=utf-8",
        ".txt" or "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
