using System.Diagnostics;
using System.Text.RegularExpressions;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>Runs probes for real: an HTTP request, a command, a metric query, a workflow run.</summary>
/// <remarks>Commands run in <paramref name="folder"/>, the experiment file's folder, where its relative paths point.</remarks>
internal sealed class ProbeEvaluator(StateDirectory state, TimeProvider time, string folder)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ChaosProbeResult> EvaluateAsync(ExperimentProbe probe, CancellationToken cancellationToken)
    {
        try
        {
            return probe.Kind switch
            {
                ProbeKind.Http => await HttpAsync(probe, cancellationToken).ConfigureAwait(false),
                ProbeKind.Command => await CommandAsync(probe, cancellationToken).ConfigureAwait(false),
                ProbeKind.Metric => MetricProbe(probe),
                _ => await WorkflowAsync(probe, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or InvalidOperationException
            or System.ComponentModel.Win32Exception or Common.WorkflowAutomationException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var what = exception is OperationCanceledException ? $"no answer within {probe.Timeout.TotalSeconds:0.###} s" : exception.Message;
            return new ChaosProbeResult(probe.Name, probe.Kind.ToString(), false, null, what);
        }
    }

    private static async Task<ChaosProbeResult> HttpAsync(ExperimentProbe probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(probe.Timeout);
        var started = Stopwatch.GetTimestamp();
        using var response = await Http.GetAsync(probe.Url, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = (int)response.StatusCode;
        var ok = status == probe.Status && (probe.MaxLatency is not { } max || latency <= max.TotalMilliseconds);
        var limit = probe.MaxLatency is { } m ? $" (at most {m.TotalMilliseconds:0} ms)" : string.Empty;
        return new ChaosProbeResult(probe.Name, "Http", ok, latency, $"HTTP {status} (expected {probe.Status}) in {latency:0.#} ms{limit}");
    }

    private async Task<ChaosProbeResult> CommandAsync(ExperimentProbe probe, CancellationToken cancellationToken)
    {
        var (exitCode, output, timedOut) = await RunCommandAsync(probe.Shell, probe.Command!, probe.Timeout, folder, cancellationToken).ConfigureAwait(false);
        if (timedOut)
        {
            return new ChaosProbeResult(probe.Name, "Command", false, null, $"still running after {probe.Timeout.TotalSeconds:0.###} s; killed");
        }
        var matches = probe.OutputMatches is null || Regex.IsMatch(output, probe.OutputMatches);
        var ok = exitCode == probe.ExitCode && matches;
        var detail = $"exit code {exitCode} (expected {probe.ExitCode})" + (probe.OutputMatches is null ? string.Empty : matches ? $", output matches /{probe.OutputMatches}/" : $", output does not match /{probe.OutputMatches}/");
        return new ChaosProbeResult(probe.Name, "Command", ok, exitCode, detail);
    }

    private ChaosProbeResult MetricProbe(ExperimentProbe probe)
    {
        var now = time.GetUtcNow();
        var reader = MetricReader.ForState(state, time: time);
        var samples = reader.Query(new MetricQuery { Name = probe.Metric!, Start = now - probe.Window, End = now, Resolution = MetricResolution.Raw });
        var values = samples.Select(sample => sample.Value).ToList();
        if (values.Count == 0)
        {
            return new ChaosProbeResult(probe.Name, "Metric", false, null, $"no sample of {probe.Metric} in the last {probe.Window.TotalSeconds:0} s");
        }
        var value = probe.Aggregate switch
        {
            "min" => values.Min(),
            "max" => values.Max(),
            "sum" => values.Sum(),
            "count" => values.Count,
            "last" => samples.OrderBy(s => s.Timestamp).Last().Value,
            _ => values.Average(),
        };
        var ok = (probe.Expect is not { } expect || Math.Abs(value - expect) <= probe.Tolerance)
            && (probe.Min is not { } min || value >= min)
            && (probe.Max is not { } max || value <= max);
        var bounds = probe.Expect is { } e ? $"{e} ± {probe.Tolerance}" : $"[{probe.Min?.ToString() ?? "-∞"}, {probe.Max?.ToString() ?? "∞"}]";
        return new ChaosProbeResult(probe.Name, "Metric", ok, value, $"{probe.Aggregate}({probe.Metric}) over {probe.Window.TotalSeconds:0} s = {value:0.###}, expected {bounds}");
    }

    private async Task<ChaosProbeResult> WorkflowAsync(ExperimentProbe probe, CancellationToken cancellationToken)
    {
        var definition = WorkflowParser.Load(probe.WorkflowPath!);
        using var store = SqliteRunStore.Open(state);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(probe.Timeout);
        var executor = new WorkflowExecutor(new WorkflowExecutorOptions { Store = store, ChaosEnabled = true });
        var run = await executor.RunAsync(definition, new RunRequest { WorkingDirectory = Path.GetDirectoryName(probe.WorkflowPath) }, timeout.Token).ConfigureAwait(false);
        var ok = run.Status.ToString() == probe.ExpectStatus;
        return new ChaosProbeResult(probe.Name, "Workflow", ok, run.Duration?.TotalMilliseconds,
            $"run {run.Id} of '{definition.Name}' ended {run.Status} (expected {probe.ExpectStatus})");
    }

    /// <summary>Runs a command in a shell, killing its process tree on timeout.</summary>
    internal static async Task<(int ExitCode, string Output, bool TimedOut)> RunCommandAsync(string shell, string command, TimeSpan timeout, string folder, CancellationToken cancellationToken)
    {
        var info = shell == "pwsh"
            ? new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(Environment.ProcessPath) ?? string.Empty, "pwsh") is var local && File.Exists(local) ? local : "pwsh")
            : new ProcessStartInfo(shell == "bash" ? "bash" : "/bin/sh");
        if (shell == "pwsh")
        {
            info.ArgumentList.Add("-NoProfile");
            info.ArgumentList.Add("-NonInteractive");
        }
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = folder;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return (-1, string.Empty, true);
        }
        return (process.ExitCode, (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false)), false);
    }
}
