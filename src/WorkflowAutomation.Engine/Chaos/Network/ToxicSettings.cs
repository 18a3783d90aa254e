using System.Globalization;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The toxics of the TCP fault proxy, as Toxiproxy names them. Each applies to a connection
/// with probability <see cref="Toxicity"/>, in <see cref="Direction"/>.
/// </summary>
public sealed class ToxicSettings
{
    /// <summary>latency: added to every chunk of data. <value>The default value is 0 (none).</value></summary>
    public int LatencyMs { get; init; }

    /// <summary>latency jitter: ± this much, uniformly. <value>The default value is 0.</value></summary>
    public int JitterMs { get; init; }

    /// <summary>bandwidth: at most this many KB/s. <value>The default value is 0 (unlimited).</value></summary>
    public int BandwidthKBps { get; init; }

    /// <summary>timeout: no data passes, and the connection closes after this long (0: stays open, silent). <value>The default value is null (off).</value></summary>
    public int? TimeoutMs { get; init; }

    /// <summary>reset_peer: the connection is reset (TCP RST) after this long. <value>The default value is null (off).</value></summary>
    public int? ResetPeerMs { get; init; }

    /// <summary>slicer: data is cut into pieces of about this size. <value>The default value is 0 (off).</value></summary>
    public int SliceBytes { get; init; }

    /// <summary>slicer: the pause between pieces. <value>The default value is 0.</value></summary>
    public int SliceDelayMicroseconds { get; init; }

    /// <summary>limit_data: the connection closes once this many bytes have passed in the direction. <value>The default value is 0 (off).</value></summary>
    public long LimitBytes { get; init; }

    /// <summary>down: the proxy resets every new connection. <value>The default value is false.</value></summary>
    public bool Down { get; init; }

    /// <summary>The stream the data toxics act on. <value>The default value is Downstream (server to client).</value></summary>
    public ToxicDirection Direction { get; init; } = ToxicDirection.Downstream;

    /// <summary>The probability (0 to 1) that a connection gets the toxics. <value>The default value is 1.</value></summary>
    public double Toxicity { get; init; } = 1.0;

    internal bool Applies(bool upstream) =>
        Direction == ToxicDirection.Both || (upstream ? Direction == ToxicDirection.Upstream : Direction == ToxicDirection.Downstream);

    /// <summary>The toxics in force, as recorded on the result.</summary>
    public Dictionary<string, string> Describe()
    {
        var items = new Dictionary<string, string>();
        void Add(string key, object value) => items[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        if (LatencyMs > 0) { Add("LatencyMs", LatencyMs); }
        if (JitterMs > 0) { Add("JitterMs", JitterMs); }
        if (BandwidthKBps > 0) { Add("BandwidthKBps", BandwidthKBps); }
        if (TimeoutMs is { } timeout) { Add("TimeoutMs", timeout); }
        if (ResetPeerMs is { } reset) { Add("ResetPeerMs", reset); }
        if (SliceBytes > 0) { Add("SliceBytes", SliceBytes); Add("SliceDelayMicroseconds", SliceDelayMicroseconds); }
        if (LimitBytes > 0) { Add("LimitBytes", LimitBytes); }
        if (Down) { Add("Down", true); }
        Add("Direction", Direction);
        Add("Toxicity", Toxicity);
        return items;
    }

    /// <summary>A short text, such as "latency 100±10 ms downstream".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (LatencyMs > 0) { parts.Add(JitterMs > 0 ? $"latency {LatencyMs}±{JitterMs} ms" : $"latency {LatencyMs} ms"); }
        if (BandwidthKBps > 0) { parts.Add($"bandwidth {BandwidthKBps} KB/s"); }
        if (TimeoutMs is { } timeout) { parts.Add($"timeout {timeout} ms"); }
        if (ResetPeerMs is { } reset) { parts.Add($"reset_peer {reset} ms"); }
        if (SliceBytes > 0) { parts.Add($"slicer {SliceBytes} B"); }
        if (LimitBytes > 0) { parts.Add($"limit_data {LimitBytes} B"); }
        if (Down) { parts.Add("down"); }
        if (parts.Count == 0) { parts.Add("no toxic"); }
        var toxicity = Toxicity < 1 ? $", {Toxicity:P0} of connections" : string.Empty;
        return $"{string.Join(", ", parts)} {Direction.ToString().ToLowerInvariant()}{toxicity}";
    }
}
