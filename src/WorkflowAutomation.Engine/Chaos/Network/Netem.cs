using System.Diagnostics;

namespace WorkflowAutomation.Chaos;

/// <summary>Linux traffic control (tc netem) rules: added on one device, removed afterwards.</summary>
internal static class Netem
{
    /// <summary>Whether tc and ip are installed and this process is root.</summary>
    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tc netem exists on Linux only";
        }
        if (Environment.UserName != "root")
        {
            return "tc netem needs root";
        }
        if (Which("tc") is null || Which("ip") is null)
        {
            return "tc and ip are missing: install iproute2 (apt-get install -y iproute2)";
        }
        return null;
    }

    /// <summary>Adds a netem qdisc to a device (in a network namespace when given).</summary>
    public static void Add(string device, string? netns, string netemArguments) =>
        Run(netns, $"tc qdisc add dev {device} root netem {netemArguments}");

    /// <summary>Deletes the root qdisc of a device; a device without one is fine.</summary>
    public static void Delete(string device, string? netns)
    {
        var (code, error) = Exec(netns, $"tc qdisc del dev {device} root");
        if (code != 0 && !error.Contains("No such file", StringComparison.OrdinalIgnoreCase)
            && !error.Contains("Cannot find device", StringComparison.OrdinalIgnoreCase)
            && !error.Contains("Cannot delete qdisc with handle of zero", StringComparison.OrdinalIgnoreCase)
            && !error.Contains("Cannot open network namespace", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"tc qdisc del dev {device} failed: {error.Trim()}");
        }
    }

    /// <summary>The qdiscs of a device, as tc shows them.</summary>
    public static string Show(string device, string? netns) => Exec(netns, $"tc qdisc show dev {device}").Output;

    private static void Run(string? netns, string command)
    {
        var (code, error) = Exec(netns, command);
        if (code != 0)
        {
            throw new InvalidOperationException($"{command} failed: {error.Trim()}");
        }
    }

    private static (int Code, string Output) Exec(string? netns, string command)
    {
        var full = netns is null ? command : $"ip netns exec {netns} {command}";
        var parts = full.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = new ProcessStartInfo(parts[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var part in parts.Skip(1))
        {
            info.ArgumentList.Add(part);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, process.ExitCode == 0 ? output : error);
    }

    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}
