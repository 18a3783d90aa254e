using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using WorkflowAutomation.Chaos;

namespace WorkflowAutomation.Tests.Chaos;

/// <summary>The fault proxy on loopback in front of a real echo server: each toxic as a client sees it.</summary>
public sealed class TcpFaultProxyTests : IAsyncLifetime
{
    private readonly TcpListener echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private Task? server;

    private int EchoPort => ((IPEndPoint)echo.LocalEndpoint).Port;

    public Task InitializeAsync()
    {
        echo.Start();
        server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await echo.AcceptTcpClientAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[64 * 1024];
                        try
                        {
                            int read;
                            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
                            {
                                await stream.WriteAsync(buffer.AsMemory(0, read), stop.Token);
                            }
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException)
                        {
                        }
                    }
                });
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        stop.Cancel();
        echo.Stop();
        await server!;
    }

    private async Task<TcpFaultProxy> Proxy(ToxicSettings toxics)
    {
        var proxy = new TcpFaultProxy(0, "127.0.0.1", EchoPort, toxics, new Random(1));
        proxy.Start();
        await Task.Yield();
        return proxy;
    }

    private static async Task<(double Milliseconds, byte[] Reply)> RoundTrip(int port, int size = 16)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var payload = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(payload);
        var reply = new byte[size];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < size)
        {
            var n = await stream.ReadAsync(reply.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                throw new IOException("closed");
            }
            read += n;
        }
        return (clock.Elapsed.TotalMilliseconds, reply);
    }

    private static async Task<double> Median(int port)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            times.Add((await RoundTrip(port)).Milliseconds);
        }
        return times.Order().ElementAt(2);
    }

    [Fact]
    public async Task Latency_delays_the_downstream_data_by_the_amount_asked()
    {
        await using var proxy = await Proxy(new ToxicSettings { LatencyMs = 80 });
        var (_, reply) = await RoundTrip(proxy.Endpoint.Port);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), reply);
        var direct = await Median(EchoPort);
        var proxied = await Median(proxy.Endpoint.Port);
        // Never less than asked; the upper bound leaves room for thread scheduling on a busy machine.
        Assert.InRange(proxied - direct, 75, 150);
        // What the proxy held each chunk: never less than asked; a busy machine wakes its timers late.
        Assert.InRange(proxy.MeanDelayMs!.Value, 79, 150);
    }

    [Fact]
    public async Task Without_toxics_the_data_passes_unchanged()
    {
        await using var proxy = await Proxy(new ToxicSettings());
        var (_, reply) = await RoundTrip(proxy.Endpoint.Port, 100_000);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (byte)i), reply);
        Assert.Equal(100_000, proxy.BytesUpstream);
    }

    [Fact]
    public async Task Limit_data_closes_the_connection_once_the_limit_has_passed()
    {
        await using var proxy = await Proxy(new ToxicSettings { LimitBytes = 10 });
        await Assert.ThrowsAnyAsync<IOException>(() => RoundTrip(proxy.Endpoint.Port, 16));
        Assert.Equal(10, proxy.BytesDownstream);
    }

    [Fact]
    public async Task Down_resets_every_connection_and_reset_peer_resets_after_its_delay()
    {
        await using (var down = await Proxy(new ToxicSettings { Down = true }))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => RoundTrip(down.Endpoint.Port));
        }
        await using var reset = await Proxy(new ToxicSettings { ResetPeerMs = 300 });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, reset.Endpoint.Port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        var buffer = new byte[16];
        var error = await Record.ExceptionAsync(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.InRange(clock.ElapsedMilliseconds, 250, 3000);
        Assert.True(error is IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } }, $"expected a reset, got {error}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Reset_peer_resets_every_connection_even_while_its_data_is_in_flight(int resetAfterMs)
    {
        // A client that writes at once races the reset: none may be left hanging on a connection
        // that was neither reset nor served.
        await using var proxy = await Proxy(new ToxicSettings { ResetPeerMs = resetAfterMs });
        for (var i = 0; i < 200; i++)
        {
            using var client = new TcpClient { NoDelay = true };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var error = await Record.ExceptionAsync(async () =>
            {
                await client.ConnectAsync(IPAddress.Loopback, proxy.Endpoint.Port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync(new byte[256], timeout.Token);
                var buffer = new byte[256];
                while (await stream.ReadAsync(buffer, timeout.Token) > 0)
                {
                }
            });
            Assert.False(error is OperationCanceledException, $"connection {i} was neither reset nor closed within 5 s");
        }
        Assert.Equal(200, proxy.ToxicConnections);
        if (resetAfterMs == 0)
        {
            // Reset at once: nothing reached the server, so a retrying client is served once.
            Assert.Equal(0, proxy.BytesUpstream);
        }
    }

    [Fact]
    public async Task Timeout_lets_nothing_through_and_closes_after_its_delay()
    {
        await using var proxy = await Proxy(new ToxicSettings { TimeoutMs = 300, Direction = ToxicDirection.Both });
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<IOException>(() => RoundTrip(proxy.Endpoint.Port));
        Assert.InRange(clock.ElapsedMilliseconds, 250, 3000);
    }

    [Fact]
    public async Task Bandwidth_limits_the_rate()
    {
        await using var proxy = await Proxy(new ToxicSettings { BandwidthKBps = 100 });
        var (ms, _) = await RoundTrip(proxy.Endpoint.Port, 50 * 1024);
        // 50 KB at 100 KB/s: about half a second.
        Assert.InRange(ms, 400, 3000);
    }

    [Fact]
    public async Task Toxicity_applies_the_toxics_to_that_share_of_connections()
    {
        await using var proxy = await Proxy(new ToxicSettings { Down = true, Toxicity = 0.5 });
        var failures = 0;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await RoundTrip(proxy.Endpoint.Port);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                failures++;
            }
        }
        Assert.InRange(failures, 8, 32);
        Assert.Equal(failures, proxy.ToxicConnections);
    }

    [Fact]
    public async Task After_dispose_the_port_refuses_connections()
    {
        var proxy = await Proxy(new ToxicSettings());
        var port = proxy.Endpoint.Port;
        await RoundTrip(port);
        await proxy.DisposeAsync();
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
        });
    }
}
