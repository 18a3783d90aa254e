using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// Server-Sent Events to the open pages. Each page holds one stream; events are named (run,
/// approval, log, breaker, health, metrics) and carry JSON. A page that loses the stream
/// reconnects by itself (EventSource) and reloads what it shows.
/// </summary>
internal sealed class EventHub : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<Guid, Channel<string>> clients = new();
    private readonly CancellationTokenSource stopping = new();

    public int ClientCount => clients.Count;

    /// <summary>Raised when the first page connects, so the watcher starts looking.</summary>
    public event Action? FirstClientConnected;

    public void Publish(string name, object payload)
    {
        if (clients.IsEmpty)
        {
            return;
        }
        var frame = $"event: {name}\ndata: {Encoding.UTF8.GetString(DashboardJson.Serialize(payload))}\n\n";
        foreach (var client in clients.Values)
        {
            client.Writer.TryWrite(frame);
        }
    }

    /// <summary>Holds the stream open until the page goes away or the dashboard stops.</summary>
    public async Task StreamAsync(HttpExchange exchange)
    {
        var response = exchange.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers["Cache-Control"] = "no-store";
        response.SendChunked = true;
        var id = Guid.NewGuid();
        // Bounded: a page that stops reading loses old frames, never the daemon's memory.
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var first = clients.IsEmpty;
        clients[id] = channel;
        if (first)
        {
            FirstClientConnected?.Invoke();
        }
        var output = response.OutputStream;
        try
        {
            await WriteAsync(output, "retry: 1000\nevent: hello\ndata: {}\n\n").ConfigureAwait(false);
            while (!stopping.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                wait.CancelAfter(KeepAlive);
                string frame;
                try
                {
                    frame = await channel.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    frame = ": keep-alive\n\n";
                }
                await WriteAsync(output, frame).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or System.Net.HttpListenerException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The page went away, or the dashboard stops.
        }
        finally
        {
            clients.TryRemove(id, out _);
            try
            {
                response.Close();
            }
            catch (Exception exception) when (exception is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private static async Task WriteAsync(Stream output, string frame)
    {
        var bytes = Encoding.UTF8.GetBytes(frame);
        await output.WriteAsync(bytes).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
