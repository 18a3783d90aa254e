using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// A TCP proxy on loopback in front of host:port that applies Toxiproxy's toxics. Each
/// direction of a connection is a reader that stamps every chunk as it arrives and a writer
/// that releases it when its delay is due, so latency does not cut throughput.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly ToxicSettings toxics;
    private readonly Random random;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> connections = [];
    private readonly object gate = new();
    private Task? acceptLoop;
    private long connectionCount;
    private long toxicConnections;
    private long bytesUpstream;
    private long bytesDownstream;
    private long delayedChunks;
    private long delayTicks;

    public TcpFaultProxy(int listenPort, string upstreamHost, int upstreamPort, ToxicSettings toxics, Random? random = null)
    {
        // Loopback only: a fault proxy must never be reachable from other machines.
        listener = new TcpListener(IPAddress.Loopback, listenPort);
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.toxics = toxics;
        this.random = random ?? new Random();
    }

    /// <summary>Where clients connect instead of host:port.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)listener.LocalEndpoint;

    public long Connections => Interlocked.Read(ref connectionCount);
    public long ToxicConnections => Interlocked.Read(ref toxicConnections);
    public long BytesUpstream => Interlocked.Read(ref bytesUpstream);
    public long BytesDownstream => Interlocked.Read(ref bytesDownstream);

    /// <summary>The mean delay chunks really waited in the proxy (arrival to write), in ms; null before any delayed chunk.</summary>
    public double? MeanDelayMs
    {
        get
        {
            var chunks = Interlocked.Read(ref delayedChunks);
            return chunks == 0 ? null : TimeSpan.FromTicks(Interlocked.Read(ref delayTicks) / chunks).TotalMilliseconds;
        }
    }

    public void Start()
    {
        listener.Start(512);
        acceptLoop = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref connectionCount);
            var task = HandleAsync(client);
            lock (gate)
            {
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(task);
            }
        }
    }

    private bool Roll()
    {
        lock (random)
        {
            return random.NextDouble() < toxics.Toxicity;
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        client.NoDelay = true;
        var toxic = Roll();
        if (toxic)
        {
            Interlocked.Increment(ref toxicConnections);
        }
        // down, and reset_peer without a delay: reset before a byte can pass, so a client that
        // retries is served once, never twice.
        if (toxic && (toxics.Down || toxics.ResetPeerMs == 0))
        {
            Reset(client);
            return;
        }
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        using var upstream = new TcpClient { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(upstreamHost, upstreamPort, connection.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            Reset(client);
            return;
        }
        var silent = toxic && toxics.TimeoutMs is not null;
        if (toxic && toxics.TimeoutMs is > 0 and var timeout)
        {
            connection.CancelAfter(timeout);
        }
        Task? resetter = null;
        if (toxic && toxics.ResetPeerMs is { } resetAfter)
        {
            resetter = Task.Delay(resetAfter, connection.Token).ContinueWith(t =>
            {
                if (!t.IsCanceled)
                {
                    Reset(client);
                    connection.Cancel();
                }
            }, TaskScheduler.Default);
        }
        using (client)
        {
            // Each direction half-closes its target at a clean end; an error or limit_data ends both.
            var up = PumpAsync(client.GetStream(), upstream.GetStream(), toxic && toxics.Applies(upstream: true), silent, isUpstream: true, connection);
            var down = PumpAsync(upstream.GetStream(), client.GetStream(), toxic && toxics.Applies(upstream: false), silent, isUpstream: false, connection);
            await Task.WhenAll(up, down).ConfigureAwait(false);
            if (resetter is not null)
            {
                await resetter.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task PumpAsync(NetworkStream source, NetworkStream target, bool toxic, bool silent, bool isUpstream, CancellationTokenSource connection)
    {
        var channel = Channel.CreateUnbounded<(byte[] Data, int Length, long Arrived)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reader = ReadAsync(source, channel.Writer, connection);
        var writer = WriteAsync(channel.Reader, target, toxic, silent, isUpstream, connection);
        await Task.WhenAny(reader, writer).ConfigureAwait(false);
        await writer.ConfigureAwait(false);
        await reader.ConfigureAwait(false);
    }

    private static async Task ReadAsync(NetworkStream source, ChannelWriter<(byte[], int, long)> channel, CancellationTokenSource connection)
    {
        var token = connection.Token;
        try
        {
            while (true)
            {
                var buffer = new byte[32 * 1024];
                var read = await source.ReadAsync(buffer, token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                channel.TryWrite((buffer, read, Stopwatch.GetTimestamp()));
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            Cancel(connection);
        }
        channel.TryComplete();
    }

    private async Task WriteAsync(ChannelReader<(byte[] Data, int Length, long Arrived)> channel, NetworkStream target, bool toxic,
        bool silent, bool isUpstream, CancellationTokenSource connection)
    {
        var token = connection.Token;
        long passed = 0;
        var budgetStart = Stopwatch.GetTimestamp();
        long budgetBytes = 0;
        try
        {
            await foreach (var (data, length, arrived) in channel.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (silent)
                {
                    // timeout: nothing gets through until the connection is closed.
                    continue;
                }
                var count = length;
                var limitReached = false;
                if (toxic && toxics.LimitBytes > 0 && passed + count >= toxics.LimitBytes)
                {
                    count = (int)(toxics.LimitBytes - passed);
                    limitReached = true;
                }
                if (toxic && toxics.LatencyMs > 0)
                {
                    var delay = toxics.LatencyMs + (toxics.JitterMs > 0 ? NextJitter() : 0);
                    var due = Stopwatch.GetElapsedTime(arrived, Stopwatch.GetTimestamp());
                    var wait = TimeSpan.FromMilliseconds(Math.Max(0, delay)) - due;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, token).ConfigureAwait(false);
                    }
                    Interlocked.Add(ref delayTicks, Stopwatch.GetElapsedTime(arrived).Ticks);
                    Interlocked.Increment(ref delayedChunks);
                }
                if (toxic && toxics.BandwidthKBps > 0)
                {
                    // Written in pieces of 50 ms worth, each when the rate allows it, so the client sees the rate.
                    var bytesPerSecond = toxics.BandwidthKBps * 1024.0;
                    var piece = Math.Max(1, (int)(bytesPerSecond / 20));
                    for (var offset = 0; offset < count; offset += piece)
                    {
                        var due = TimeSpan.FromSeconds(budgetBytes / bytesPerSecond) - Stopwatch.GetElapsedTime(budgetStart);
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, token).ConfigureAwait(false);
                        }
                        var size = Math.Min(piece, count - offset);
                        await target.WriteAsync(data.AsMemory(offset, size), token).ConfigureAwait(false);
                        budgetBytes += size;
                    }
                }
                else if (toxic && toxics.SliceBytes > 0)
                {
                    await WriteSlicedAsync(target, data, count, token).ConfigureAwait(false);
                }
                else if (count > 0)
                {
                    await target.WriteAsync(data.AsMemory(0, count), token).ConfigureAwait(false);
                }
                passed += count;
                Interlocked.Add(ref isUpstream ? ref bytesUpstream : ref bytesDownstream, count);
                if (limitReached)
                {
                    // limit_data: the connection closes once the limit has passed.
                    Cancel(connection);
                    return;
                }
            }
            if (!silent)
            {
                target.Socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            Cancel(connection);
        }
    }

    private static void Cancel(CancellationTokenSource connection)
    {
        try
        {
            connection.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteSlicedAsync(NetworkStream target, byte[] data, int count, CancellationToken token)
    {
        var offset = 0;
        while (offset < count)
        {
            int size;
            lock (random)
            {
                // Toxiproxy's slicer: pieces of the average size, varied by up to half of it.
                size = Math.Max(1, toxics.SliceBytes + random.Next(-toxics.SliceBytes / 2, toxics.SliceBytes / 2 + 1));
            }
            size = Math.Min(size, count - offset);
            await target.WriteAsync(data.AsMemory(offset, size), token).ConfigureAwait(false);
            await target.FlushAsync(token).ConfigureAwait(false);
            offset += size;
            if (toxics.SliceDelayMicroseconds > 0 && offset < count)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(toxics.SliceDelayMicroseconds), token).ConfigureAwait(false);
            }
        }
    }

    private int NextJitter()
    {
        lock (random)
        {
            return random.Next(-toxics.JitterMs, toxics.JitterMs + 1);
        }
    }

    /// <summary>Closes with a TCP RST instead of a FIN.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
        {
        }
        client.Dispose();
    }

    /// <summary>Stops listening and closes every connection; returns once all are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Stop();
        if (acceptLoop is not null)
        {
            await acceptLoop.ConfigureAwait(false);
        }
        Task[] open;
        lock (gate)
        {
            open = [.. connections];
        }
        await Task.WhenAll(open).ConfigureAwait(false);
        stopping.Dispose();
    }
}
