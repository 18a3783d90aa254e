namespace WorkflowAutomation.Chaos;

/// <summary>One chaos test: what was injected, what was measured while it ran, what was touched and reverted, and the verdict.</summary>
public sealed class ChaosResult
{
    /// <summary>A sortable id such as 20261201-101500-3fa9c1.</summary>
    public required string Id { get; init; }
    public required ChaosFaultType Type { get; init; }
    /// <summary>The experiment's title, or a description of the fault.</summary>
    public required string Name { get; set; }
    /// <summary>What the fault acts on (host:port, cores, a path, a process selector, a file).</summary>
    public string Target { get; set; } = string.Empty;
    public ChaosVerdict Verdict { get; set; } = ChaosVerdict.Aborted;
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? EndTime { get; set; }
    public TimeSpan? Duration => EndTime - StartTime;
    /// <summary>The settings of the fault as given (percent, megabytes, path…).</summary>
    public Dictionary<string, string> Parameters { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Values measured while the fault ran (the timeline of the report).</summary>
    public List<ChaosMeasurement> Measurements { get; init; } = [];
    /// <summary>Everything the test changed on the machine, and whether it was put back.</summary>
    public List<ChaosTouch> Touched { get; init; } = [];
    /// <summary>Probes, faults, actions, rollbacks and safeguard checks, in order.</summary>
    public List<ChaosEvent> Events { get; init; } = [];
    /// <summary>The steady-state hypothesis before the method ran (experiments only).</summary>
    public List<ChaosProbeResult> HypothesisBefore { get; init; } = [];
    /// <summary>The steady-state hypothesis after the method ran (experiments only).</summary>
    public List<ChaosProbeResult> HypothesisAfter { get; init; } = [];
    /// <summary>Suite and its experiments: 0 to 100, the share of the checks that held (a suite: the mean of its experiments).</summary>
    public double? Score { get; set; }
    /// <summary>Suite only: one result per experiment of the suite, in the order they ran.</summary>
    public List<ChaosResult> Children { get; init; } = [];
    /// <summary>Why the verdict is what it is, in a sentence.</summary>
    public string? Message { get; set; }
    /// <summary>The HTML report written for this result, if any.</summary>
    public string? ReportPath { get; set; }

    /// <summary>True when everything touched was reverted.</summary>
    public bool Reverted => Touched.All(touch => touch.Reverted);

    /// <summary>The latest value of a measurement, or null when it was never taken.</summary>
    public double? Latest(string name) => Measurements.LastOrDefault(m => m.Name == name)?.Value;

    /// <summary>The mean of a measurement's values, or null when it was never taken.</summary>
    public double? Mean(string name)
    {
        var values = Measurements.Where(m => m.Name == name).Select(m => m.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }
}

/// <summary>One value measured while a fault ran.</summary>
public sealed record ChaosMeasurement(DateTimeOffset Time, string Name, double Value, string Unit);

/// <summary>Something a chaos test changed (a filler file, a corrupted file, a proxy, a killed process) and whether it was reverted.</summary>
public sealed class ChaosTouch
{
    /// <summary>What kind of thing: File, Filler, Proxy, Process, Memory, Threads, NetemRule, Mount, Daemon, Folder.</summary>
    public required string Kind { get; init; }
    /// <summary>The path, endpoint or pid touched.</summary>
    public required string What { get; init; }
    /// <summary>What was done to it.</summary>
    public required string Action { get; init; }
    /// <summary>Whether it is back as it was (a killed process counts as reverted: nothing is left to undo).</summary>
    public bool Reverted { get; set; }
    /// <summary>How it was reverted, or why it could not be.</summary>
    public string? Revert { get; set; }
}

/// <summary>One entry of an experiment's journal.</summary>
public sealed record ChaosEvent(DateTimeOffset Time, string Kind, string Name, bool? Ok, string? Detail);

/// <summary>The outcome of one probe of a steady-state hypothesis.</summary>
public sealed record ChaosProbeResult(string Name, string Kind, bool Ok, double? Value, string Detail);
