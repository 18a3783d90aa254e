namespace WorkflowAutomation.Dashboard;

/// <summary>Matches a method and a path such as /api/runs/{id}/cancel to a handler.</summary>
internal sealed class DashboardRouter
{
    private readonly List<(string Method, string[] Segments, Func<HttpExchange, Task> Handler)> routes = [];

    public DashboardRouter Map(string method, string pattern, Func<HttpExchange, Task> handler)
    {
        routes.Add((method, pattern.Trim('/').Split('/'), handler));
        return this;
    }

    /// <summary>The handler for the request, its route values filled in; null when no route matches.</summary>
    public Func<HttpExchange, Task>? Find(HttpExchange exchange)
    {
        var segments = exchange.Path.Trim('/').Split('/');
        foreach (var (method, pattern, handler) in routes)
        {
            if (method != exchange.Method && !(method == "GET" && exchange.Method == "HEAD"))
            {
                continue;
            }
            if (Match(pattern, segments, exchange.RouteValues))
            {
                return handler;
            }
            exchange.RouteValues.Clear();
        }
        return null;
    }

    /// <summary>True when some route has this path under another method (405 rather than 404).</summary>
    public bool HasPath(string path)
    {
        var segments = path.Trim('/').Split('/');
        var scratch = new Dictionary<string, string>();
        return routes.Any(route => Match(route.Segments, segments, scratch));
    }

    private static bool Match(string[] pattern, string[] segments, Dictionary<string, string> values)
    {
        if (pattern.Length != segments.Length)
        {
            return false;
        }
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i].StartsWith('{'))
            {
                values[pattern[i][1..^1]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(pattern[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
