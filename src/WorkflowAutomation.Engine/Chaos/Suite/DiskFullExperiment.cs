using System.Diagnostics;
using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The state directory's volume (the suite's own small tmpfs) filled until writes fail: the
/// daemon keeps answering as the same process, reports Degraded (its Disk check names the
/// volume), does not crash, and is Healthy again and runs work once the space is back.
/// </summary>
internal sealed class DiskFullExperiment : SuiteExperiment
{
    public override string Key => "disk";

    public override string Title => "Disk full on the state directory: Degraded, not a crash, and recovers";

    public override ChaosFaultType Type => ChaosFaultType.Disk;

    public override string Plan(ChaosSuiteOptions options) =>
        $"Fill the scratch state directory's own {options.ScratchMegaBytes} MB tmpfs until writes fail, for {options.FaultDuration.TotalSeconds:0.#} s; the filler is deleted at the end";

    public override double ExpectedSeconds(ChaosSuiteOptions options) => options.FaultDuration.TotalSeconds + 4;

    /// <summary>What the daemon and its supervisor logged last, to tell why the daemon was replaced.</summary>
    private static string LastWords(SuiteContext suite)
    {
        var paths = new Daemon.DaemonPaths(suite.Scratch);
        return string.Join("; ", new[] { paths.LogFile, Path.Combine(suite.Scratch.LogsFolder, "supervisor.log"), paths.ConsoleLogFile }.Select(Tail));
    }

    private static string Tail(string log)
    {
        try
        {
            var lines = File.Exists(log) ? File.ReadAllLines(log).Where(line => line.Trim().Length > 0).TakeLast(4).ToList() : [];
            return $"{Path.GetFileName(log)}: " + (lines.Count == 0 ? "empty" : string.Join(" | ", lines.Select(line => line.Length > 300 ? line[..300] + "…" : line)));
        }
        catch (IOException exception)
        {
            return $"{Path.GetFileName(log)} cannot be read: {exception.Message}";
        }
    }

    protected override async Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token)
    {
        if (!suite.OnTmpfs)
        {
            Check(suite, result, "the state directory is on a tmpfs of its own", false,
                "no scratch tmpfs could be mounted (root, or unshare -rm, is needed): the disk is never filled on a real volume");
            return;
        }
        var path = suite.Workflow("suite-disk", QuickWorkflow("suite-disk"));
        var pidBefore = (await suite.StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false)).Status?.ProcessId;
        // Long enough for a health round (HEALTH_CHECK_INTERVAL is 1 s in the scratch daemon) to see the full volume.
        var duration = suite.Options.FaultDuration < TimeSpan.FromSeconds(3) ? TimeSpan.FromSeconds(3) : suite.Options.FaultDuration;
        var fault = DiskFault.ToTheBrim(suite.Scratch.Root);
        var running = suite.Runner.RunIntoAsync(result, fault, duration, token);
        var probing = ProbeWhileAsync(suite, result, running, token);
        await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(1.5), token)).ConfigureAwait(false);
        string submitted;
        try
        {
            var (run, ms) = await Task.Run(() => suite.Submit(path, token), token).ConfigureAwait(false);
            submitted = $"accepted as {run.Id} in {Ms(ms)}";
        }
        catch (WorkflowAutomationException exception)
        {
            submitted = $"refused: {exception.Message}";
        }
        var probes = await probing.ConfigureAwait(false);
        await running.ConfigureAwait(false);

        var peak = result.Measurements.Where(m => m.Name == "disk.used_percent").Select(m => m.Value).DefaultIfEmpty().Max();
        Check(suite, result, "the state directory's volume was filled", peak >= 99, $"{peak:0.#} % used at the peak", peak);
        var answered = probes.Count(p => p.Status is not null);
        Check(suite, result, "the daemon kept answering while the disk was full", probes.Count > 0 && answered == probes.Count,
            $"{answered} of {probes.Count} health requests answered; a submit was {submitted}");
        // The last one: the first may come between the preallocation and the last bytes written.
        var degraded = probes.Where(p => p.Status?.Health == Daemon.HealthStatus.Degraded).Select(p => p.Status!).LastOrDefault();
        Check(suite, result, "health turned Degraded, naming the disk", degraded is not null && degraded.HealthReasons.Any(r => r.StartsWith("Disk", StringComparison.Ordinal)),
            degraded is null
                ? "seen: " + string.Join(", ", probes.Select(p => p.Status?.Health.ToString() ?? "no answer").Distinct())
                : string.Join("; ", degraded.HealthReasons));
        var worst = probes.Select(p => p.Status?.Health).Where(h => h is not null).DefaultIfEmpty(Daemon.HealthStatus.Healthy).Max();
        Check(suite, result, "health never went Unhealthy", worst != Daemon.HealthStatus.Unhealthy, $"worst health seen: {worst}");

        var clock = Stopwatch.StartNew();
        Daemon.DaemonStatus? after = null;
        var recovered = await SuiteContext.UntilAsync(() =>
        {
            after = suite.StatusAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult().Status;
            return after?.Health == Daemon.HealthStatus.Healthy;
        }, TimeSpan.FromSeconds(20), token, 250).ConfigureAwait(false);
        Measure(suite, result, "daemon.healthy_again_s", clock.Elapsed.TotalSeconds, "s");
        Check(suite, result, "health was Healthy again once the space was back", recovered,
            recovered ? $"{clock.Elapsed.TotalSeconds:0.#} s after the filler was deleted" : $"still {after?.Health.ToString() ?? "not answering"} after 20 s: {string.Join("; ", after?.HealthReasons ?? [])}");
        var same = after?.ProcessId is { } pid && pid == pidBefore;
        Check(suite, result, "the daemon did not crash (the same process throughout)", same,
            $"process {pidBefore} before, {after?.ProcessId.ToString() ?? "none"} after" + (same ? string.Empty : "; " + LastWords(suite)));
        var (again, _) = suite.Submit(path, token);
        var ended = suite.WaitRun(again.Id, suite.Options.RecoveryTimeout, token);
        Check(suite, result, "a run submitted after the recovery succeeded", ended?.Status == RunStatus.Succeeded,
            ended is null ? "the run cannot be read" : $"run {ended.Id} is {ended.Status}");
    }
}
