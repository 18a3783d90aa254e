using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Runs an experiment as Chaos Toolkit does: the hypothesis before (if it does not hold,
/// nothing is injected), the method with safeguards watching in the background, the
/// hypothesis after, then the rollbacks, always. Every step goes to the result's journal.
/// </summary>
public sealed class ExperimentRunner(StateDirectory state, WorkflowConfiguration configuration, TimeProvider time)
{

    /// <summary>Everything the experiment would touch or run, for -WhatIf.</summary>
    public IReadOnlyList<string> Plan(ChaosExperiment experiment, ChaosFaultOptions? unused = null)
    {
        var lines = new List<string>();
        lines.AddRange(experiment.Hypothesis.Select(p => $"Probe the steady state: {p.Name} ({p.Kind})"));
        foreach (var activity in experiment.Method)
        {
            switch (activity.Kind)
            {
                case ActivityKind.Fault:
                    var fault = ChaosFaults.Create(activity.Fault!, state);
                    lines.AddRange(fault.Plan().Select(line => $"{line} (for {activity.Fault!.Duration.TotalSeconds:0.###} s{(activity.Background ? ", in the background" : string.Empty)})"));
                    break;
                case ActivityKind.Action:
                    lines.Add($"Run action '{activity.Action!.Name}': {activity.Action.Command}");
                    break;
                case ActivityKind.Probe:
                    lines.Add($"Probe: {activity.Probe!.Name} ({activity.Probe.Kind})");
                    break;
                default:
                    lines.Add($"Pause {activity.Pause.TotalSeconds:0.###} s");
                    break;
            }
        }
        lines.AddRange(experiment.Rollbacks.Select(r => $"Roll back '{r.Name}': {r.Command}"));
        return lines;
    }

    public async Task<ChaosResult> RunAsync(ChaosExperiment experiment, Action<ChaosProgress> progress, CancellationToken cancellationToken)
    {
        probes = new ProbeEvaluator(state, time, Folder(experiment));
        ChaosSafety.RequireEnabled(configuration);
        // Every fault is built (and its options checked) before anything is touched.
        var faults = experiment.Method.Where(a => a.Kind == ActivityKind.Fault).ToDictionary(a => a, a => ChaosFaults.Create(a.Fault!, state));
        var result = new ChaosResult
        {
            Id = ChaosRunner.NewId(time),
            Type = ChaosFaultType.Experiment,
            Name = experiment.Title,
            Target = experiment.File,
            StartTime = time.GetUtcNow(),
        };
        result.Parameters["Experiment"] = experiment.File;
        var runner = new ChaosRunner(new ChaosRunnerOptions { State = state, Configuration = configuration, Time = time, Progress = progress });
        var total = experiment.Method.Sum(a => a.Kind == ActivityKind.Fault && !a.Background ? a.Fault!.Duration.TotalSeconds : a.Kind == ActivityKind.Pause ? a.Pause.TotalSeconds : 0);
        var duration = TimeSpan.FromSeconds(Math.Max(1, total));
        string? breach = null;
        try
        {
            progress(new ChaosProgress(experiment.Title, TimeSpan.Zero, duration, "checking the steady state"));
            result.HypothesisBefore.AddRange(await HypothesisAsync(experiment, result, "before", cancellationToken).ConfigureAwait(false));
            if (result.HypothesisBefore.Any(p => !p.Ok))
            {
                result.Verdict = ChaosVerdict.Failed;
                result.Message = "The steady state did not hold before the method, so nothing was injected: " + Failing(result.HypothesisBefore);
                return result;
            }

            using var halt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watch = WatchSafeguardsAsync(experiment, result, halt, reason => breach = reason);
            try
            {
                await MethodAsync(experiment, result, runner, faults, halt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (breach is not null && !cancellationToken.IsCancellationRequested)
            {
                // A safeguard halted the method; faults have reverted.
            }
            finally
            {
                halt.Cancel();
                await watch.ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (breach is not null)
            {
                result.Verdict = ChaosVerdict.Aborted;
                result.Message = $"A safeguard halted the experiment: {breach}. Everything injected was reverted.";
                return result;
            }

            progress(new ChaosProgress(experiment.Title, duration, duration, "checking the steady state again"));
            result.HypothesisAfter.AddRange(await HypothesisAsync(experiment, result, "after", cancellationToken).ConfigureAwait(false));
            var faultFailures = result.Events.Where(e => e.Kind == "Revert" && e.Ok == false).ToList();
            if (!result.Reverted || faultFailures.Count > 0)
            {
                result.Verdict = ChaosVerdict.Failed;
                result.Message = "Not everything injected could be reverted: " + string.Join("; ", result.Touched.Where(t => !t.Reverted).Select(t => $"{t.What}: {t.Revert}"));
            }
            else if (result.HypothesisAfter.Any(p => !p.Ok))
            {
                result.Verdict = ChaosVerdict.Failed;
                result.Message = "The system deviated from its steady state: " + Failing(result.HypothesisAfter);
            }
            else
            {
                result.Verdict = ChaosVerdict.Passed;
                result.Message = "The steady state held before and after the method; everything injected was reverted.";
            }
            return result;
        }
        catch (OperationCanceledException)
        {
            result.Verdict = ChaosVerdict.Aborted;
            result.Message = "Stopped before the end (Ctrl+C or Stop-Job); everything injected was reverted.";
            return result;
        }
        finally
        {
            // Rollbacks always run, whatever happened, and never with the caller's token.
            await RollbacksAsync(experiment, result).ConfigureAwait(false);
            result.EndTime = time.GetUtcNow();
            using var store = ChaosStore.Open(state);
            store.Save(result);
        }
    }

    private ProbeEvaluator probes = null!;

    private static string Folder(ChaosExperiment experiment) => Path.GetDirectoryName(experiment.File) ?? Environment.CurrentDirectory;

    private async Task MethodAsync(ChaosExperiment experiment, ChaosResult result, ChaosRunner runner,
        Dictionary<ExperimentActivity, IChaosFault> faults, CancellationToken token)
    {
        var background = new List<Task>();
        try
        {
            foreach (var activity in experiment.Method)
            {
                token.ThrowIfCancellationRequested();
                var task = ActivityAsync(experiment, activity, result, runner, faults, token);
                if (activity.Background)
                {
                    background.Add(task);
                }
                else
                {
                    await task.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Background activities end (and revert) before the method is over.
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
        token.ThrowIfCancellationRequested();
    }

    private async Task ActivityAsync(ChaosExperiment experiment, ExperimentActivity activity, ChaosResult result, ChaosRunner runner,
        Dictionary<ExperimentActivity, IChaosFault> faults, CancellationToken token)
    {
        switch (activity.Kind)
        {
            case ActivityKind.Fault:
                await runner.RunIntoAsync(result, faults[activity], activity.Fault!.Duration, token).ConfigureAwait(false);
                // RunIntoAsync sets a per-fault verdict; the experiment decides its own at the end.
                token.ThrowIfCancellationRequested();
                break;
            case ActivityKind.Action:
                var (code, output, timedOut) = await ProbeEvaluator.RunCommandAsync(activity.Action!.Shell, activity.Action.Command, activity.Action.Timeout, Folder(experiment), token).ConfigureAwait(false);
                Event(result, "Action", activity.Action.Name, !timedOut && code == 0, timedOut ? "timed out" : $"exit code {code}: {Trim(output)}");
                break;
            case ActivityKind.Probe:
                var probe = await probes.EvaluateAsync(activity.Probe!, token).ConfigureAwait(false);
                Event(result, "Probe", probe.Name, probe.Ok, probe.Detail);
                if (probe.Value is { } value)
                {
                    Measure(result, "probe." + probe.Name, value, probe.Kind == "Http" ? "ms" : string.Empty);
                }
                break;
            default:
                Event(result, "Pause", $"{activity.Pause.TotalSeconds:0.###} s", null, null);
                await Task.Delay(activity.Pause, time, token).ConfigureAwait(false);
                break;
        }
    }

    private async Task<List<ChaosProbeResult>> HypothesisAsync(ChaosExperiment experiment, ChaosResult result, string when, CancellationToken token)
    {
        var list = new List<ChaosProbeResult>();
        foreach (var probe in experiment.Hypothesis)
        {
            var outcome = await probes.EvaluateAsync(probe, token).ConfigureAwait(false);
            list.Add(outcome);
            Event(result, "Hypothesis", $"{outcome.Name} ({when})", outcome.Ok, outcome.Detail);
        }
        return list;
    }

    private async Task WatchSafeguardsAsync(ChaosExperiment experiment, ChaosResult result, CancellationTokenSource halt, Action<string> breached)
    {
        if (experiment.Safeguards.Count == 0)
        {
            return;
        }
        try
        {
            while (!halt.IsCancellationRequested)
            {
                foreach (var safeguard in experiment.Safeguards)
                {
                    var outcome = await probes.EvaluateAsync(safeguard, halt.Token).ConfigureAwait(false);
                    if (!outcome.Ok)
                    {
                        Event(result, "Safeguard", outcome.Name, false, outcome.Detail);
                        breached($"{outcome.Name}: {outcome.Detail}");
                        halt.Cancel();
                        return;
                    }
                }
                await Task.Delay(experiment.SafeguardInterval, time, halt.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RollbacksAsync(ChaosExperiment experiment, ChaosResult result)
    {
        foreach (var rollback in experiment.Rollbacks)
        {
            var (code, output, timedOut) = await ProbeEvaluator.RunCommandAsync(rollback.Shell, rollback.Command, rollback.Timeout, Folder(experiment), CancellationToken.None).ConfigureAwait(false);
            Event(result, "Rollback", rollback.Name, !timedOut && code == 0, timedOut ? "timed out" : $"exit code {code}: {Trim(output)}");
        }
    }

    private void Event(ChaosResult result, string kind, string name, bool? ok, string? detail)
    {
        lock (result)
        {
            result.Events.Add(new ChaosEvent(time.GetUtcNow(), kind, name, ok, detail));
        }
    }

    private void Measure(ChaosResult result, string name, double value, string unit)
    {
        lock (result)
        {
            result.Measurements.Add(new ChaosMeasurement(time.GetUtcNow(), name, value, unit));
        }
    }

    private static string Failing(IEnumerable<ChaosProbeResult> probes) =>
        string.Join("; ", probes.Where(p => !p.Ok).Select(p => $"{p.Name}: {p.Detail}"));

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length <= 300 ? text : text[..300] + "…";
    }
}
