using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// tc netem delay, loss and corruption on this machine's packets towards the resolved addresses
/// of a host, and nothing else (<see cref="Netem"/>). With a port in the target, the round trip
/// of a TCP connect to it (a refusal is a round trip too) is measured before and while the
/// rule is in force.
/// </summary>
internal sealed class NetemFault : IChaosFault
{
    /// <summary>Accepted shortfall of the measured added round trip against the delay asked, in ms.</summary>
    public const double Tolerance = 10;

    private readonly string host;
    private readonly int? port;
    private readonly NetemSettings settings;
    private readonly List<(string Device, ChaosTouch Touch)> rules = [];
    private double? baselineMs;

    public NetemFault(string target, NetemSettings settings)
    {
        (host, port) = ParseTarget(target);
        this.settings = settings;
    }

    public ChaosFaultType Type => ChaosFaultType.Network;

    public string Name => $"Network netem {settings} towards {host}";

    public string Target => port is { } p ? $"{host}:{p}" : host;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["Target"] = Target,
        ["Netem"] = string.Join(' ', settings.Arguments()),
        ["LatencyMs"] = settings.LatencyMs.ToString(CultureInfo.InvariantCulture),
        ["JitterMs"] = settings.JitterMs.ToString(CultureInfo.InvariantCulture),
        ["LossPercent"] = settings.LossPercent.ToString(CultureInfo.InvariantCulture),
        ["CorruptPercent"] = settings.CorruptPercent.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan()
    {
        if (Netem.Missing() is { } missing)
        {
            return [$"Nothing: netem cannot run here ({missing})"];
        }
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = Resolve();
        }
        catch (ChaosException exception)
        {
            return [$"Nothing: {exception.Message}"];
        }
        return [.. addresses.GroupBy(Netem.DeviceTowards).Select(group =>
            $"Add netem ({string.Join(' ', settings.Arguments())}) on {group.Key} for packets to {string.Join(", ", group)} only: an htb root qdisc {Netem.RootHandle} with u32 filters; other traffic passes unshaped; deleted at the end")];
    }

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        if (Netem.Missing() is { } missing)
        {
            throw new ChaosException(ErrorIds.ChaosToolMissing, ErrorKind.ResourceUnavailable, $"The netem fault cannot run: {missing}. Nothing was changed.");
        }
        var byDevice = Resolve().GroupBy(Netem.DeviceTowards).ToList();
        foreach (var group in byDevice)
        {
            var (kind, handle) = Netem.Root(group.Key);
            if (handle != "0:")
            {
                throw new ChaosException(ErrorIds.ChaosInvalidTarget, ErrorKind.ResourceExists,
                    $"The device {group.Key} already has a root qdisc ({kind} {handle}) that the netem fault would replace; nothing was changed. Remove it first, or choose a target reached through another device.");
            }
        }
        if (port is not null)
        {
            baselineMs = RoundTripMs(3);
            if (baselineMs is { } baseline)
            {
                context.Measure("network.rtt_baseline_ms", baseline, "ms");
            }
        }
        foreach (var group in byDevice)
        {
            context.Journal.DeleteNetemLater(group.Key, Netem.RootHandle);
            var touch = context.Touch("NetemRule", $"{group.Key} → {string.Join(", ", group)}", $"netem {string.Join(' ', settings.Arguments())}");
            rules.Add((group.Key, touch));
            try
            {
                Netem.Add(group.Key, [.. group], settings);
            }
            catch (InvalidOperationException exception)
            {
                throw new ChaosException(ErrorIds.ChaosToolMissing, ErrorKind.ResourceUnavailable, $"The netem rule could not be added on {group.Key}: {exception.Message}");
            }
            context.Event("Fault", Name, true, $"netem on {group.Key} for {string.Join(", ", group)}");
        }
        return Task.CompletedTask;
    }

    public void Sample(ChaosContext context, TimeSpan elapsed)
    {
        foreach (var (device, _) in rules)
        {
            if (Netem.Statistics(device) is { } stats)
            {
                context.Measure("netem.packets", stats.Packets, "packets");
                context.Measure("netem.dropped", stats.Dropped, "packets");
            }
        }
        if (port is not null)
        {
            if (RoundTripMs(3) is { } rtt)
            {
                context.Measure("network.rtt_ms", rtt, "ms");
            }
            else
            {
                context.Measure("network.connect_failures", 1, "samples");
            }
        }
    }

    public Task RevertAsync(ChaosContext context)
    {
        foreach (var (device, touch) in rules)
        {
            var how = Netem.DeleteRoot(device, Netem.RootHandle);
            touch.Reverted = Netem.Root(device).Handle != Netem.RootHandle;
            touch.Revert = how;
            if (touch.Reverted)
            {
                context.Journal.Done(device, RollbackJournal.JournalKind.DeleteNetem);
            }
        }
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result)
    {
        if (settings.LatencyMs <= 0 || baselineMs is not { } baseline)
        {
            return null;
        }
        var during = result.Measurements.Where(m => m.Name == "network.rtt_ms").Select(m => m.Value).Order().ToList();
        if (during.Count == 0)
        {
            return $"No round trip to {Target} could be measured while the rule was in force.";
        }
        var added = during[during.Count / 2] - baseline;
        result.Measurements.Add(new ChaosMeasurement(DateTimeOffset.UtcNow, "network.added_rtt_ms", added, "ms"));
        // Less than asked is the rule's fault; more can be a busy machine.
        return added >= settings.LatencyMs - Tolerance
            ? null
            : $"The round trip to {Target} grew by {added:0.#} ms, less than the {settings.LatencyMs} ms delay asked (-{Tolerance}).";
    }

    /// <summary>The median time of a few TCP connects to the target (an answer or a refusal); null when none answered.</summary>
    private double? RoundTripMs(int count)
    {
        var times = new List<double>();
        var address = Resolve()[0];
        for (var i = 0; i < count; i++)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            var clock = Stopwatch.StartNew();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                socket.ConnectAsync(new IPEndPoint(address, port!.Value), timeout.Token).AsTask().GetAwaiter().GetResult();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                // Lost (a loss rule, a firewall): no round trip this time.
            }
        }
        return times.Count == 0 ? null : times.Order().ElementAt(times.Count / 2);
    }

    private IReadOnlyList<IPAddress> Resolve()
    {
        try
        {
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
            return addresses.Length > 0
                ? addresses
                : throw new ChaosException(ErrorIds.ChaosTargetNotFound, ErrorKind.ObjectNotFound, $"'{host}' resolves to no address.");
        }
        catch (SocketException exception)
        {
            throw new ChaosException(ErrorIds.ChaosTargetNotFound, ErrorKind.ObjectNotFound, $"'{host}' cannot be resolved: {exception.Message}");
        }
    }

    /// <summary>host, host:port, [v6] or [v6]:port; a bare IPv6 address has no port.</summary>
    internal static (string Host, int? Port) ParseTarget(string target)
    {
        var text = target.Trim();
        string hostPart;
        string? portPart = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            hostPart = close > 0 ? text[1..close] : text.Trim('[', ']');
            if (close > 0 && close + 1 < text.Length && text[close + 1] == ':')
            {
                portPart = text[(close + 2)..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            hostPart = text[..text.IndexOf(':', StringComparison.Ordinal)];
            portPart = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
        else
        {
            hostPart = text;
        }
        if (hostPart.Length == 0 || portPart is not null && (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > 65535))
        {
            throw new ChaosException(ErrorIds.ChaosInvalidTarget, ErrorKind.InvalidArgument,
                $"'{target}' is not host or host:port. -Target names the host whose packets netem delays, such as 10.0.0.2 or db.internal:5432 (the port measures the round trip).");
        }
        return (hostPart, portPart is null ? null : int.Parse(portPart, CultureInfo.InvariantCulture));
    }
}
