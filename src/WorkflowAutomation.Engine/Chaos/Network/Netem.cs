using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WorkflowAutomation.Chaos;

/// <summary>What a netem fault does to the packets towards its target.</summary>
internal sealed record NetemSettings(int LatencyMs, int JitterMs, double LossPercent, double CorruptPercent)
{
    /// <summary>The arguments after <c>netem</c>.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var list = new List<string>();
        if (LatencyMs > 0)
        {
            list.AddRange(["delay", $"{LatencyMs}ms"]);
            if (JitterMs > 0)
            {
                list.Add($"{JitterMs}ms");
            }
        }
        if (LossPercent > 0)
        {
            list.AddRange(["loss", Percent(LossPercent)]);
        }
        if (CorruptPercent > 0)
        {
            list.AddRange(["corrupt", Percent(CorruptPercent)]);
        }
        return list;
    }

    public override string ToString() => string.Join(", ", new[]
    {
        LatencyMs > 0 ? (JitterMs > 0 ? $"delay {LatencyMs}±{JitterMs} ms" : $"delay {LatencyMs} ms") : null,
        LossPercent > 0 ? $"loss {LossPercent.ToString(CultureInfo.InvariantCulture)} %" : null,
        CorruptPercent > 0 ? $"corrupt {CorruptPercent.ToString(CultureInfo.InvariantCulture)} %" : null,
    }.OfType<string>());

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}

/// <summary>
/// Linux traffic control for the netem fault. Only the packets towards the target's addresses
/// go through netem: an htb root qdisc (handle c4a0:) sends what its u32 filters match to one
/// class whose leaf is netem; everything else is unclassified and leaves through htb's direct
/// queue, unshaped. Deleting the root qdisc puts the device's default back.
/// </summary>
internal static class Netem
{
    /// <summary>The root qdisc handle the fault owns; a device whose root has another handle is left alone.</summary>
    public const string RootHandle = "c4a0:";

    private const string ClassId = "c4a0:1";
    private const string LeafHandle = "c4a1:";
    private static readonly Lazy<string?> KernelProblem = new(ProbeKernel);

    /// <summary>Why netem cannot run here (not Linux, not root, no tc, a kernel without netem), or null.</summary>
    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tc netem exists on Linux only; use the TCP fault proxy (without -Netem) elsewhere";
        }
        if (!HostCommand.IsRoot())
        {
            return "tc netem changes the network stack and needs root; use the TCP fault proxy (without -Netem), which does not";
        }
        if (HostCommand.Which("tc") is null || HostCommand.Which("ip") is null)
        {
            return "tc and ip are missing: install iproute2 (apt-get install -y iproute2)";
        }
        return KernelProblem.Value;
    }

    /// <summary>Tries the whole rule set in a network namespace of its own, which vanishes with the probe: nothing here is touched.</summary>
    private static string? ProbeKernel()
    {
        if (HostCommand.Which("unshare") is null)
        {
            return "unshare (util-linux) is missing: it checks the kernel's netem support without touching this machine's network";
        }
        const string script = "ip link set lo up && tc qdisc add dev lo root handle 1: htb && tc class add dev lo parent 1: classid 1:1 htb rate 1gbit quantum 60000 && " +
            "tc qdisc add dev lo parent 1:1 handle 2: netem delay 1ms && tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dst 127.0.0.2/32 flowid 1:1";
        var (code, _, output) = HostCommand.Run("unshare", ["--net", "sh", "-c", script]);
        if (code == 0)
        {
            return null;
        }
        // tc's own warnings (such as htb's quantum advice) are not the reason.
        var error = string.Join(" ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("Warning", StringComparison.OrdinalIgnoreCase)));
        return error.Contains("netem", StringComparison.OrdinalIgnoreCase) || error.Contains("qdisc kind is unknown", StringComparison.OrdinalIgnoreCase)
            ? $"this kernel ({Environment.OSVersion.Version}) has no netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem): load it with 'modprobe sch_netem' or use a kernel that has it; tc said: {error.Trim()}"
            : $"this kernel lacks what the netem fault builds on (htb, u32 filters and netem): {error.Trim()}";
    }

    /// <summary>The device packets to an address leave by (<c>ip route get</c>).</summary>
    public static string DeviceTowards(IPAddress address)
    {
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var output = HostCommand.RunChecked("ip", family, "route", "get", address.ToString());
        var words = output.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(words, "dev");
        return index >= 0 && index + 1 < words.Length
            ? words[index + 1]
            : throw new InvalidOperationException($"'ip route get {address}' names no device: {output.Trim()}");
    }

    /// <summary>The kind and handle of a device's root qdisc, such as ("noqueue", "0:").</summary>
    public static (string Kind, string Handle) Root(string device)
    {
        var output = HostCommand.RunChecked("tc", "qdisc", "show", "dev", device, "root");
        var words = output.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3 && words[0] == "qdisc" ? (words[1], words[2]) : ("none", "0:");
    }

    /// <summary>Adds the rule set; on any failure whatever was added is deleted again before the error is thrown.</summary>
    public static void Add(string device, IReadOnlyList<IPAddress> addresses, NetemSettings settings)
    {
        try
        {
            HostCommand.RunChecked("tc", "qdisc", "add", "dev", device, "root", "handle", RootHandle, "htb", "direct_qlen", "1000");
            HostCommand.RunChecked("tc", "class", "add", "dev", device, "parent", RootHandle, "classid", ClassId, "htb", "rate", "100gbit", "quantum", "60000");
            HostCommand.RunChecked("tc", ["qdisc", "add", "dev", device, "parent", ClassId, "handle", LeafHandle, "netem", .. settings.Arguments()]);
            foreach (var address in addresses)
            {
                var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
                HostCommand.RunChecked("tc", "filter", "add", "dev", device, "parent", RootHandle, "protocol", v6 ? "ipv6" : "ip", "prio", v6 ? "2" : "1",
                    "u32", "match", v6 ? "ip6" : "ip", "dst", $"{address}/{(v6 ? 128 : 32)}", "flowid", ClassId);
            }
        }
        catch (InvalidOperationException)
        {
            DeleteRoot(device, RootHandle);
            throw;
        }
    }

    /// <summary>Deletes the device's root qdisc when it is still the fault's; says what was done.</summary>
    public static string DeleteRoot(string device, string handle)
    {
        (string Kind, string Handle) root;
        try
        {
            root = Root(device);
        }
        catch (InvalidOperationException exception) when (exception.Message.Contains("Cannot find device", StringComparison.OrdinalIgnoreCase))
        {
            return "the device is gone";
        }
        if (root.Handle != handle)
        {
            return $"already gone (the root qdisc is {root.Kind} {root.Handle})";
        }
        HostCommand.RunChecked("tc", "qdisc", "del", "dev", device, "root");
        return "netem rule deleted (the device's default qdisc is back)";
    }

    /// <summary>Packets that went through the netem leaf and how many it dropped; null when the leaf is not there.</summary>
    public static (long Packets, long Dropped)? Statistics(string device)
    {
        var lines = HostCommand.Run("tc", ["-s", "qdisc", "show", "dev", device]).Output.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith("qdisc netem " + LeafHandle, StringComparison.Ordinal))
            {
                // " Sent 1234 bytes 12 pkt (dropped 1, overlimits 0 requeues 0)"
                var words = lines[i + 1].Split((char[])[' ', ',', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
                return (Number(words, Array.IndexOf(words, "pkt") - 1), Number(words, Array.IndexOf(words, "dropped") + 1));
            }
        }
        return null;
    }

    private static long Number(string[] words, int index) =>
        index >= 0 && index < words.Length && long.TryParse(words[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
