using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace WorkflowAutomation.Chaos;

/// <summary>A webhook endpoint on loopback that records every delivery (path and run id) it gets.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    public WebhookReceiver()
    {
        // A free port is found by binding port 0; another process could take it before the
        // listener does, so a few tries.
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Every delivery so far: the request path and the run id of its JSON body.</summary>
    public ConcurrentQueue<(string Path, string? RunId, DateTimeOffset At)> Deliveries { get; } = new();

    private async Task ServeAsync()
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
            string? runId = null;
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.InputStream).ConfigureAwait(false);
                runId = body.RootElement.TryGetProperty("runId", out var id) ? id.GetString() : null;
            }
            catch (Exception exception) when (exception is JsonException or IOException or HttpListenerException)
            {
                // Recorded without a run id: a delivery that arrived broken.
            }
            Deliveries.Enqueue((context.Request.Url?.AbsolutePath ?? string.Empty, runId, DateTimeOffset.UtcNow));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
