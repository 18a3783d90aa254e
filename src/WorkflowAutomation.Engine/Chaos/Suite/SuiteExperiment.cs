using System.Globalization;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// One experiment of the resilience suite: the steady state first (the scratch daemon answers,
/// not Unhealthy), then the fault with its checks. The score is the share of checks that held;
/// the verdict is Passed only when all held and everything injected was reverted.
/// </summary>
internal abstract class SuiteExperiment
{
    /// <summary>A short name, used in measurement names and progress.</summary>
    public abstract string Key { get; }

    public abstract string Title { get; }

    public abstract ChaosFaultType Type { get; }

    /// <summary>What the experiment does, for -WhatIf.</summary>
    public abstract string Plan(ChaosSuiteOptions options);

    /// <summary>Seconds the experiment takes on a quiet machine, for the progress bar.</summary>
    public abstract double ExpectedSeconds(ChaosSuiteOptions options);

    protected abstract Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token);

    public async Task<ChaosResult> RunAsync(SuiteContext suite, string id, CancellationToken token)
    {
        var result = new ChaosResult { Id = id, Type = Type, Name = Title, Target = suite.Scratch.Root, StartTime = suite.Time.GetUtcNow() };
        var (status, ms) = await suite.StatusAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var steady = status is not null && status.Health != Daemon.HealthStatus.Unhealthy;
        result.HypothesisBefore.Add(new ChaosProbeResult("daemon answers, not Unhealthy", "Status", steady, ms,
            status is null ? "no answer as Running within 10 s" : $"{status.State}, {status.Health}, pid {status.ProcessId}, {ms:0} ms"));
        if (!steady)
        {
            return End(suite, result, ChaosVerdict.Failed, "The scratch daemon did not answer before the fault, so nothing was injected.");
        }
        try
        {
            await ExecuteAsync(suite, result, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return End(suite, result, ChaosVerdict.Aborted, "Stopped before the end (Ctrl+C or Stop-Job); everything injected was reverted.");
        }
        catch (Exception exception) when (exception is WorkflowAutomationException or IOException or InvalidOperationException
            or UnauthorizedAccessException or System.Net.Sockets.SocketException or System.Net.HttpListenerException or TimeoutException or OperationCanceledException)
        {
            Check(suite, result, "the experiment ran to its end", false, exception.Message);
        }
        var failed = result.HypothesisAfter.Where(c => !c.Ok).ToList();
        if (!result.Reverted)
        {
            return End(suite, result, ChaosVerdict.Failed, "Not everything injected could be reverted: " +
                string.Join("; ", result.Touched.Where(t => !t.Reverted).Select(t => $"{t.What}: {t.Revert}")));
        }
        return failed.Count == 0
            ? End(suite, result, ChaosVerdict.Passed, $"All {result.HypothesisAfter.Count} checks held; everything injected was reverted.")
            : End(suite, result, ChaosVerdict.Failed, $"{failed.Count} of {result.HypothesisAfter.Count} checks failed: " +
                string.Join("; ", failed.Select(c => $"{c.Name} ({c.Detail})")));
    }

    private static ChaosResult End(SuiteContext suite, ChaosResult result, ChaosVerdict verdict, string message)
    {
        result.EndTime = suite.Time.GetUtcNow();
        result.Verdict = verdict;
        result.Message = message;
        var checks = result.HypothesisAfter.Count;
        result.Score = verdict == ChaosVerdict.Aborted || checks == 0 ? 0 : Math.Round(100.0 * result.HypothesisAfter.Count(c => c.Ok) / checks, 1);
        return result;
    }

    /// <summary>Records one check of what the framework must do under the fault.</summary>
    protected static void Check(SuiteContext suite, ChaosResult result, string name, bool ok, string detail, double? value = null)
    {
        lock (result)
        {
            result.HypothesisAfter.Add(new ChaosProbeResult(name, "Check", ok, value, detail));
            result.Events.Add(new ChaosEvent(suite.Time.GetUtcNow(), "Check", name, ok, detail));
        }
    }

    /// <summary>Records a measured value now.</summary>
    protected static void Measure(SuiteContext suite, ChaosResult result, string name, double value, string unit)
    {
        lock (result)
        {
            result.Measurements.Add(new ChaosMeasurement(suite.Time.GetUtcNow(), name, value, unit));
        }
    }

    /// <summary>Whether the runner found the fault's measured effect within tolerance (null when it did not judge it).</summary>
    protected static bool? FaultTookEffect(ChaosResult result, IChaosFault fault)
    {
        lock (result)
        {
            return result.Events.LastOrDefault(e => e.Kind == "Measure" && e.Name == fault.Name)?.Ok;
        }
    }

    /// <summary>A health status as a number for the timeline: 0 Healthy, 1 Degraded, 2 Unhealthy, 3 no answer.</summary>
    protected static double HealthValue(Daemon.DaemonStatus? status) => status?.Health is { } health ? (int)health : 3;

    /// <summary>The status probes of a fault's duration: every 250 ms until <paramref name="until"/> ends.</summary>
    protected static async Task<List<(Daemon.DaemonStatus? Status, double Milliseconds)>> ProbeWhileAsync(SuiteContext suite, ChaosResult result, Task until, CancellationToken token)
    {
        var probes = new List<(Daemon.DaemonStatus?, double)>();
        while (!until.IsCompleted)
        {
            token.ThrowIfCancellationRequested();
            var (status, ms) = await suite.StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            probes.Add((status, ms));
            Measure(suite, result, "daemon.status_ms", ms, "ms");
            Measure(suite, result, "daemon.health", HealthValue(status), "0 healthy, 1 degraded, 2 unhealthy, 3 no answer");
            await Task.WhenAny(until, Task.Delay(250, token)).ConfigureAwait(false);
        }
        return probes;
    }

    protected static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A workflow of one quick step, to show that the daemon still accepts and runs work.</summary>
    protected static string QuickWorkflow(string name) => $"name: {name}\nsteps:\n  - name: hello\n    shell: sh\n    command: echo ok\n";
}
