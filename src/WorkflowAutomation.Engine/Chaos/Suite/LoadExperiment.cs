using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// A load fault (CPU saturation or memory pressure) while the daemon is asked for its health
/// every 250 ms and given a run: every health request is answered, the run is accepted and
/// succeeds, and the submit latency is recorded against the same submit before the fault.
/// </summary>
internal abstract class LoadExperiment : SuiteExperiment
{
    /// <summary>The longest a health request may take under load before it counts as unanswered.</summary>
    private static readonly TimeSpan StatusPatience = TimeSpan.FromSeconds(5);

    protected abstract ChaosFaultOptions Fault(ChaosSuiteOptions options);

    public override double ExpectedSeconds(ChaosSuiteOptions options) => options.FaultDuration.TotalSeconds + 2;

    protected override async Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token)
    {
        var path = suite.Workflow($"suite-{Key}", QuickWorkflow($"suite-{Key}"));
        var (warmup, baselineMs) = suite.Submit(path, token);
        suite.WaitRun(warmup.Id, suite.Options.RecoveryTimeout, token);
        Measure(suite, result, "daemon.submit_baseline_ms", baselineMs, "ms");

        var options = Fault(suite.Options);
        var fault = ChaosFaults.Create(options, suite.UserState);
        foreach (var (name, value) in fault.Parameters)
        {
            result.Parameters[name] = value;
        }
        var running = suite.Runner.RunIntoAsync(result, fault, options.Duration, token);
        var probing = ProbeWhileAsync(suite, result, running, token);
        // Submitted once the load has built up.
        await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(Math.Min(1, options.Duration.TotalSeconds / 2)), token)).ConfigureAwait(false);
        var (run, submitMs) = await Task.Run(() => suite.Submit(path, token), token).ConfigureAwait(false);
        Measure(suite, result, "daemon.submit_ms", submitMs, "ms");
        var ended = await Task.Run(() => suite.WaitRun(run.Id, suite.Options.RecoveryTimeout, token), token).ConfigureAwait(false);
        var probes = await probing.ConfigureAwait(false);
        await running.ConfigureAwait(false);

        var answered = probes.Count(p => p.Status is not null);
        var slowest = probes.Count == 0 ? 0 : probes.Max(p => p.Milliseconds);
        Check(suite, result, "every health request was answered under the load", probes.Count > 0 && answered == probes.Count,
            $"{answered} of {probes.Count} answered within {StatusPatience.TotalSeconds:0} s; slowest {Ms(slowest)}", slowest);
        Check(suite, result, "a run was accepted under the load", true, $"submit took {Ms(submitMs)} (before the fault: {Ms(baselineMs)})", submitMs);
        Check(suite, result, "the run submitted under the load succeeded", ended?.Status == RunStatus.Succeeded,
            ended is null ? "the run cannot be read" : $"run {ended.Id} is {ended.Status}");
        var effect = FaultTookEffect(result, fault);
        Check(suite, result, $"the {Key} fault took effect", LoadApplied(result, effect), Describe(result, effect));
    }

    /// <summary>Whether the load was there: the fault's own verdict unless a fault says otherwise.</summary>
    protected virtual bool LoadApplied(ChaosResult result, bool? effect) => effect != false;

    private static string Describe(ChaosResult result, bool? effect)
    {
        lock (result)
        {
            var verdict = result.Events.LastOrDefault(e => e.Kind == "Measure")?.Detail ?? "not judged";
            var cpu = result.Mean("cpu.fault_percent") is { } load ? $"; the load got {load:0.#} % of its cores" : string.Empty;
            var memory = result.Measurements.Where(m => m.Name == "memory.fault_mb").Select(m => m.Value).DefaultIfEmpty().Max() is var held and > 0
                ? $"; {held:0} MB held resident" : string.Empty;
            return (effect is null ? "not judged" : verdict) + cpu + memory;
        }
    }
}

/// <summary>CPU saturation: every core busy (stress-ng, or burner threads) while the daemon works.</summary>
internal sealed class CpuSaturationExperiment : LoadExperiment
{
    public override string Key => "cpu";

    public override string Title => "CPU saturation: health answers, submit latency recorded";

    public override ChaosFaultType Type => ChaosFaultType.Cpu;

    public override string Plan(ChaosSuiteOptions options) =>
        $"Keep every core {options.CpuPercent} % busy for {options.FaultDuration.TotalSeconds:0.#} s ({(HostCommand.Which("stress-ng") is null ? "burner threads in this process" : "stress-ng")}) while asking the daemon for its health and submitting a run";

    protected override ChaosFaultOptions Fault(ChaosSuiteOptions options) =>
        new() { Type = ChaosFaultType.Cpu, Percent = options.CpuPercent, Duration = options.FaultDuration };

    private static double Asked(ChaosResult result) =>
        double.TryParse(result.Parameters.GetValueOrDefault("Percent"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var percent) ? percent : 100;

    /// <summary>Saturation is what counts: the machine was busy even when other work took part of the cores from the load.</summary>
    protected override bool LoadApplied(ChaosResult result, bool? effect)
    {
        lock (result)
        {
            return effect != false || result.Mean("cpu.system_percent") >= Math.Min(80, Asked(result) - CpuFault.Tolerance);
        }
    }
}

/// <summary>Memory pressure: megabytes held resident in this process while the daemon works.</summary>
internal sealed class MemoryPressureExperiment : LoadExperiment
{
    public override string Key => "memory";

    public override string Title => "Memory pressure: health answers, runs succeed";

    public override ChaosFaultType Type => ChaosFaultType.Memory;

    public override string Plan(ChaosSuiteOptions options) =>
        $"Hold {options.MemoryMegaBytes} MB resident in this process for {options.FaultDuration.TotalSeconds:0.#} s while asking the daemon for its health and submitting a run";

    protected override ChaosFaultOptions Fault(ChaosSuiteOptions options) =>
        new() { Type = ChaosFaultType.Memory, MegaBytes = options.MemoryMegaBytes, Duration = options.FaultDuration };

    /// <summary>
    /// The fault is measured as this process's resident-set growth, which the suite's own work
    /// (probes, submits, collections) moves by some megabytes either way: three quarters of the
    /// asked megabytes held is pressure applied.
    /// </summary>
    protected override bool LoadApplied(ChaosResult result, bool? effect)
    {
        lock (result)
        {
            var held = result.Measurements.Where(m => m.Name == "memory.fault_mb").Select(m => m.Value).DefaultIfEmpty().Max();
            return effect != false || held >= 0.75 * Asked(result);
        }
    }

    private static double Asked(ChaosResult result) =>
        double.TryParse(result.Parameters.GetValueOrDefault("MegaBytes"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var megaBytes) ? megaBytes : 0;
}
