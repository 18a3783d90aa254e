using System.Diagnostics;
using System.Globalization;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Runs the suite, for a user who is not root, in a user and mount namespace of its own
/// (<c>unshare --user --map-root-user --mount</c>): a new pwsh of this module, root inside the
/// namespace only, mounts the scratch tmpfs there (no other process sees it) and records its
/// result in the user's chaos.db, which this process then reads back. Ctrl+C reaches it as
/// SIGINT, so it reverts as it would in this session.
/// </summary>
internal sealed class UserNamespace(StateDirectory state, ChaosSuiteOptions options, TimeProvider time)
{
    private const string ResultMarker = "chaos-suite-result:";

    /// <summary>The namespace's description, recorded on the result.</summary>
    public const string Description = "a user and mount namespace of its own (unshare --user --map-root-user --mount)";

    /// <summary>Whether the suite can be run in a namespace of its own here: Linux, not root, unshare installed.</summary>
    public static bool Available() => OperatingSystem.IsLinux() && !HostCommand.IsRoot() && HostCommand.Which("unshare") is not null;

    public async Task<ChaosResult> RunAsync(string name, Action<ChaosProgress> progress, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(HostCommand.Which("unshare")!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--user", "--map-root-user", "--mount", "--", options.Launch.PwshPath, "-NoProfile", "-NonInteractive", "-Command", Script() })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment[StateDirectory.HomeVariable] = state.Root;
        // The gate was passed here; the inner session must not be refused by an environment that differs.
        info.Environment[Configuration.ConfigurationKeys.ChaosEnabled.Name] = "true";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("unshare could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var expected = TimeSpan.FromSeconds(40);
        try
        {
            while (!process.HasExited)
            {
                progress(new ChaosProgress(name, clock.Elapsed, expected, "running in " + Description));
                try
                {
                    await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Still running: report progress again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C for the inner session: it stops its experiment and removes its daemon, mount and folder.
            HostCommand.Run("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var id = (await output.ConfigureAwait(false)).Split('\n').Select(line => line.Trim())
            .LastOrDefault(line => line.StartsWith(ResultMarker, StringComparison.Ordinal))?[ResultMarker.Length..];
        var result = id is null ? null : new ChaosResults(state).Find(id);
        if (result is null)
        {
            result = new ChaosResult
            {
                Id = ChaosRunner.NewId(time),
                Type = ChaosFaultType.Suite,
                Name = name,
                StartTime = time.GetUtcNow() - clock.Elapsed,
                EndTime = time.GetUtcNow(),
                Verdict = cancellationToken.IsCancellationRequested ? ChaosVerdict.Aborted : ChaosVerdict.Failed,
                Message = $"The suite in {Description} ended (exit code {process.ExitCode}) without a result: {Tail(await error.ConfigureAwait(false))}",
                Score = 0,
            };
        }
        result.Parameters["RanIn"] = Description;
        using (var store = ChaosStore.Open(state))
        {
            store.Save(result);
        }
        return result;
    }

    /// <summary>The inner session: the same suite, its result id printed for this process to read back.</summary>
    private string Script()
    {
        string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
        var experiments = options.Experiments is { Count: > 0 } keys ? " -Target " + string.Join(",", keys.Select(Quote)) : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"$ProgressPreference = 'SilentlyContinue'; Import-Module {Quote(options.Launch.ModuleManifest)}; " +
            $"$r = Invoke-ChaosTest -Type Suite -Force -ErrorAction SilentlyContinue -DurationSeconds {Math.Max(1, (int)Math.Round(options.FaultDuration.TotalSeconds))} " +
            $"-Percent {options.CpuPercent} -MegaBytes {options.MemoryMegaBytes}{experiments}; if ($r) {{ '{ResultMarker}' + $r.Id }}");
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "it printed nothing." : string.Join(" | ", lines.TakeLast(5));
    }
}
