using System.Net;
using System.Text.RegularExpressions;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Dashboard.Queries;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// The dashboard's HTTP server: in-box <see cref="HttpListener"/> (no ASP.NET Core shared
/// framework, which a standalone pwsh does not carry), listening on one address only.
/// </summary>
internal sealed partial class DashboardServer : IDisposable
{
    private readonly DaemonHost host;
    private readonly DashboardOptions options;
    private readonly HttpListener listener = new();
    private readonly DashboardRouter router = new();
    private readonly DashboardSecurity security;
    private readonly EventHub events = new();
    private readonly ChangeWatcher watcher;
    private readonly PrometheusEndpoint prometheus;
    private Task? acceptLoop;

    public DashboardServer(DaemonHost host, DashboardOptions options, string token)
    {
        this.host = host;
        this.options = options;
        security = new DashboardSecurity(token, options.Bind, options.Port, options.Time);
        Url = $"{security.Origin}/";
        listener.Prefixes.Add(Url);
        var runs = new RunQueries(host.State);
        watcher = new ChangeWatcher(host, runs, events, options.WatchInterval, options.Time);
        prometheus = new PrometheusEndpoint(host, new MetricQueries(host.Metrics?.Reader ?? Metrics.MetricReader.ForState(host.State), options.Time), options.Time);
        new DashboardApi(host, options, security, events).Map(router);
        router.Map("GET", "/healthz", Healthz);
        router.Map("GET", "/metrics", exchange => exchange.TextAsync(prometheus.Render(), PrometheusEndpoint.ContentType));
        foreach (var page in StaticAssets.PagePaths)
        {
            router.Map("GET", page, Page);
        }
    }

    /// <summary>The address it listens on, without the token.</summary>
    public string Url { get; }

    /// <exception cref="WorkflowAutomationException">The port cannot be had (in use, or not allowed).</exception>
    public void Start()
    {
        try
        {
            listener.Start();
        }
        catch (HttpListenerException exception)
        {
            var holder = PortHolder.Describe(options.Port);
            throw new WorkflowAutomationException(ErrorIds.DashboardPortInUse, ErrorKind.ResourceUnavailable,
                $"The dashboard cannot listen on {options.Bind}:{options.Port}: {exception.Message}" +
                (holder is null ? "" : $" (held by {holder})") +
                ". Free the port, or choose another with Start-WorkflowDaemon -DashboardPort or DASHBOARD_PORT.", exception);
        }
        watcher.Start();
        acceptLoop = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(new HttpExchange(context)));
        }
    }

    private async Task HandleAsync(HttpExchange exchange)
    {
        try
        {
            exchange.SecurityHeaders();
            var isApi = exchange.Path.StartsWith("/api/", StringComparison.Ordinal) || exchange.Path == "/metrics";
            if (await security.AdmitAsync(exchange, isPage: !isApi).ConfigureAwait(false) == Admission.Answered)
            {
                return;
            }
            if (exchange.Path.StartsWith("/assets/", StringComparison.Ordinal))
            {
                await AssetAsync(exchange, exchange.Path["/assets/".Length..]).ConfigureAwait(false);
                return;
            }
            var handler = router.Find(exchange);
            if (handler is null)
            {
                await (router.HasPath(exchange.Path)
                    ? exchange.ErrorAsync(405, "DashboardMethodNotAllowed", $"{exchange.Method} is not allowed on {exchange.Path}.")
                    : exchange.ErrorAsync(404, "DashboardNotFound", $"Nothing is at {exchange.Path}.")).ConfigureAwait(false);
                return;
            }
            await handler(exchange).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            await TryAnswerAsync(exchange, 400, "DashboardRequestInvalid", exception.Message).ConfigureAwait(false);
        }
        catch (WorkflowAutomationException exception)
        {
            await TryAnswerAsync(exchange, 400, exception.ErrorId, exception.Message).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away.
        }
        catch (Exception exception)
        {
            host.Log.Error($"The dashboard failed to answer {exchange.Method} {exchange.Path}: {exception}");
            await TryAnswerAsync(exchange, 500, "DashboardFailed", "The dashboard failed to answer; the daemon log says why.").ConfigureAwait(false);
        }
    }

    private static async Task TryAnswerAsync(HttpExchange exchange, int status, string errorId, string message)
    {
        try
        {
            await exchange.ErrorAsync(status, errorId, message).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }

    private async Task Healthz(HttpExchange exchange)
    {
        var healthy = host.CurrentHealth?.Status is HealthStatus.Healthy or HealthStatus.Degraded;
        await exchange.JsonAsync(new { Status = healthy ? "ok" : "unhealthy" }, healthy ? 200 : 503).ConfigureAwait(false);
    }

    private static Task Page(HttpExchange exchange) =>
        exchange.BytesAsync(StaticAssets.Read("index.html") ?? [], StaticAssets.ContentType("index.html"));

    private static Task AssetAsync(HttpExchange exchange, string name)
    {
        if (!AssetName().IsMatch(name) || name.Contains("..", StringComparison.Ordinal) || StaticAssets.Read(name) is not { } bytes)
        {
            return exchange.ErrorAsync(404, "DashboardNotFound", $"No asset is named '{name}'.");
        }
        // Assets change only with the module version; the page itself is never cached.
        exchange.Response.Headers["Cache-Control"] = "private, max-age=300";
        return exchange.BytesAsync(bytes, StaticAssets.ContentType(name));
    }

    [GeneratedRegex("^[A-Za-z0-9._/-]+$")]
    private static partial Regex AssetName();

    public void Dispose()
    {
        events.Dispose();
        watcher.Dispose();
        try
        {
            listener.Stop();
            listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        acceptLoop?.Wait(TimeSpan.FromSeconds(2));
    }
}
