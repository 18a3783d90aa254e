using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>The settings of one fault, as Invoke-ChaosTest's parameters give them (the seed's chaos_test.sh arguments, named).</summary>
public sealed class ChaosFaultOptions
{
    public ChaosFaultType Type { get; init; }

    /// <summary>How long the fault lasts. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Network: host:port. Process: a selector (name:pattern, pid:n, run:id, daemon).</summary>
    public string? Target { get; init; }

    /// <summary>Cpu: percent of each core kept busy. <value>The default value is 80.</value></summary>
    public int Percent { get; init; } = 80;

    /// <summary>Cpu: cores loaded. <value>The default value is every core.</value></summary>
    public int? Cores { get; init; }

    /// <summary>Memory: megabytes held resident. <value>The default value is 512.</value></summary>
    public int MegaBytes { get; init; } = 512;

    /// <summary>Disk: how full the filesystem becomes. <value>The default value is 90.</value></summary>
    public int FillPercent { get; init; } = 90;

    /// <summary>Disk: a folder on the filesystem to fill; Corruption: the file to damage.</summary>
    public string? Path { get; init; }

    /// <summary>Disk: free space that is always left. <value>The default value is 100 MB.</value></summary>
    public int MinFreeMegaBytes { get; init; } = 100;

    /// <summary>Process: processes killed. <value>The default value is 1.</value></summary>
    public int Count { get; init; } = 1;

    /// <summary>Process: time between kills. <value>The default value is 0 (all at once).</value></summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Corruption: how the file is damaged. <value>The default value is FlipBytes.</value></summary>
    public CorruptionMode Mode { get; init; } = CorruptionMode.FlipBytes;

    /// <summary>Corruption: bytes flipped. <value>The default value is 16.</value></summary>
    public int Bytes { get; init; } = 16;

    /// <summary>Network: the proxy's port on 127.0.0.1. <value>The default value is 0 (a free port).</value></summary>
    public int ListenPort { get; init; }

    /// <summary>Network: tc netem on this machine's traffic towards the target's addresses instead of a proxy (Linux, root). <value>The default value is false.</value></summary>
    public bool Netem { get; init; }

    /// <summary>Network with netem: the share of packets towards the target dropped, in percent. <value>The default value is 0.</value></summary>
    public double LossPercent { get; init; }

    /// <summary>Network with netem: the share of packets towards the target with a flipped bit, in percent. <value>The default value is 0.</value></summary>
    public double CorruptPercent { get; init; }

    /// <summary>Network: the toxics (latency and jitter also set netem's delay).</summary>
    public ToxicSettings Toxics { get; init; } = new();

    /// <summary>Seeds random choices (bytes flipped, processes picked, jitter) for a repeatable test. <value>The default value is null (random).</value></summary>
    public int? Seed { get; init; }
}

/// <summary>Builds the fault a set of options describes, checking the options first.</summary>
public static class ChaosFaults
{
    public static IChaosFault Create(ChaosFaultOptions options, StateDirectory state)
    {
        var random = options.Seed is { } seed ? new Random(seed) : new Random();
        return options.Type switch
        {
            ChaosFaultType.Cpu => new CpuFault(
                Range(options.Percent, 1, 100, "-Percent"),
                Range(options.Cores ?? Environment.ProcessorCount, 1, Environment.ProcessorCount, "-Cores"),
                HostCommand.Which("stress-ng"), options.Duration),
            ChaosFaultType.Memory => new MemoryFault(Range(options.MegaBytes, 1, 1024 * 1024, "-MegaBytes")),
            ChaosFaultType.Disk => new DiskFault(Require(options.Path, "-Path", "the folder whose filesystem is filled"), options.FillPercent, options.MinFreeMegaBytes),
            ChaosFaultType.Process => new ProcessFault(
                ProcessSelector.Parse(Require(options.Target, "-Target", "the processes to kill (name:<pattern>, pid:<pid>, run:<run id> or daemon)"), state),
                Range(options.Count, 1, 1000, "-Count"), options.Interval, random),
            ChaosFaultType.Corruption => new CorruptionFault(Require(options.Path, "-Path", "the file to corrupt"), options.Mode, options.Bytes, random, state),
            ChaosFaultType.Network when options.Netem => new NetemFault(
                Require(options.Target, "-Target", "the host (or host:port, to measure the round trip) whose traffic is delayed, lost or corrupted"),
                CheckNetem(options)),
            ChaosFaultType.Network => new NetworkFault(Require(options.Target, "-Target", "the host:port to put the fault proxy in front of"),
                Range(options.ListenPort, 0, 65535, "-ListenPort"), CheckToxics(options.Toxics), random),
            _ => throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument,
                $"-Type {options.Type} is not a single fault. Use Cpu, Memory, Disk, Network, Process or Corruption; Suite and -Experiment run several."),
        };
    }

    private static NetemSettings CheckNetem(ChaosFaultOptions options)
    {
        if (options.LossPercent is < 0 or > 100 || options.CorruptPercent is < 0 or > 100)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument, "-LossPercent and -CorruptPercent are percentages from 0 to 100.");
        }
        if (options.Toxics.LatencyMs <= 0 && options.LossPercent <= 0 && options.CorruptPercent <= 0)
        {
            throw new ChaosException(ErrorIds.ChaosMissingArgument, ErrorKind.InvalidArgument,
                "A netem fault needs at least one of -LatencyMs, -LossPercent or -CorruptPercent.");
        }
        return new NetemSettings(options.Toxics.LatencyMs, options.Toxics.JitterMs, options.LossPercent, options.CorruptPercent);
    }

    private static ToxicSettings CheckToxics(ToxicSettings toxics)
    {
        if (toxics.Toxicity is < 0 or > 1)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument, $"-Toxicity is a probability from 0 to 1; {toxics.Toxicity} is outside that range.");
        }
        return toxics;
    }

    private static string Require(string? value, string parameter, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ChaosException(ErrorIds.ChaosMissingArgument, ErrorKind.InvalidArgument, $"This fault needs {parameter}: {what}.")
            : value;

    private static int Range(int value, int min, int max, string parameter) =>
        value < min || value > max
            ? throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument, $"{parameter} must be from {min} to {max}; {value} is outside that range.")
            : value;
}
