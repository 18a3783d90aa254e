using System.Globalization;
using System.Net.Sockets;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// A TCP fault proxy in front of host:port for the duration: clients pointed at the proxy
/// get the toxics; the proxy and its connections are gone afterwards (checked by connecting).
/// </summary>
internal sealed class NetworkFault : IChaosFault
{
    /// <summary>Accepted deviation of the mean delay the proxy applied, in ms.</summary>
    public const double Tolerance = 10;

    private readonly string host;
    private readonly int port;
    private readonly int listenPort;
    private readonly ToxicSettings toxics;
    private readonly Random random;
    private TcpFaultProxy? proxy;
    private ChaosTouch? touch;

    public NetworkFault(string target, int listenPort, ToxicSettings toxics, Random random)
    {
        (host, port) = ParseTarget(target);
        this.listenPort = listenPort;
        this.toxics = toxics;
        this.random = random;
    }

    /// <summary>The proxy once applied; its counters stay readable after it closed.</summary>
    internal TcpFaultProxy? Proxy => proxy;

    /// <summary>Where clients connect while the fault runs (once applied).</summary>
    public string? ProxyEndpoint => proxy?.Endpoint.ToString();

    public ChaosFaultType Type => ChaosFaultType.Network;

    public string Name => $"Network {toxics} via proxy to {host}:{port}";

    public string Target => $"{host}:{port}";

    public IReadOnlyDictionary<string, string> Parameters
    {
        get
        {
            var parameters = toxics.Describe();
            parameters["Target"] = Target;
            parameters["ListenPort"] = listenPort.ToString(CultureInfo.InvariantCulture);
            return parameters;
        }
    }

    public IReadOnlyList<string> Plan() =>
        [$"Listen on 127.0.0.1:{(listenPort == 0 ? "<a free port>" : listenPort.ToString(CultureInfo.InvariantCulture))} and forward to {host}:{port} with {toxics}; closed at the end. Nothing else on the network changes."];

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        proxy = new TcpFaultProxy(listenPort, host, port, toxics, random);
        try
        {
            proxy.Start();
        }
        catch (SocketException exception)
        {
            throw new ChaosException(ErrorIds.ChaosPortUnavailable, ErrorKind.ResourceUnavailable,
                $"The proxy cannot listen on 127.0.0.1:{listenPort}: {exception.Message}. Choose another -ListenPort, or 0 for a free one.");
        }
        context.Result.Parameters["ProxyEndpoint"] = proxy.Endpoint.ToString();
        touch = context.Touch("Proxy", proxy.Endpoint.ToString(), $"fault proxy to {host}:{port}");
        context.Event("Fault", Name, true, $"proxy listening on {proxy.Endpoint}");
        return Task.CompletedTask;
    }

    public void Sample(ChaosContext context, TimeSpan elapsed)
    {
        if (proxy is null)
        {
            return;
        }
        context.Measure("network.connections", proxy.Connections, "connections");
        context.Measure("network.bytes_downstream", proxy.BytesDownstream, "bytes");
        context.Measure("network.bytes_upstream", proxy.BytesUpstream, "bytes");
        if (proxy.MeanDelayMs is { } delay)
        {
            context.Measure("network.delay_ms", delay, "ms");
        }
    }

    public async Task RevertAsync(ChaosContext context)
    {
        if (proxy is null)
        {
            return;
        }
        var endpoint = proxy.Endpoint;
        Sample(context, TimeSpan.Zero);
        await proxy.DisposeAsync().ConfigureAwait(false);
        if (touch is not null)
        {
            touch.Reverted = !Listening(endpoint);
            touch.Revert = touch.Reverted ? "proxy closed (connecting is refused)" : "the proxy port still accepts connections";
        }
    }

    public string? Verify(ChaosResult result)
    {
        if (toxics.LatencyMs <= 0 || result.Latest("network.delay_ms") is not { } delay)
        {
            return null;
        }
        // Less than asked is the proxy's fault; more can be a busy machine waking the timers late.
        return delay >= toxics.LatencyMs - Tolerance
            ? null
            : $"The proxy delayed data by {delay:0.#} ms on average, less than the {toxics.LatencyMs} ms asked (-{Tolerance}).";
    }

    private static bool Listening(System.Net.IPEndPoint endpoint)
    {
        try
        {
            using var probe = new TcpClient();
            probe.Connect(endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static (string Host, int Port) ParseTarget(string target)
    {
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidTarget, ErrorKind.InvalidArgument,
                $"'{target}' is not host:port. -Target names the service to put the fault proxy in front of, such as 127.0.0.1:5432.");
        }
        return (target[..colon].Trim('[', ']'), port);
    }
}
