using System.Diagnostics;
using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The framework's own resilience experiments (the seed's <c>chaos_test.sh suite</c>) against a
/// real daemon of this module in a scratch state directory under the temporary folder, on a
/// small tmpfs of its own when this process may mount one: kill -9 mid-run, CPU saturation,
/// memory pressure, a full disk, a corrupted metrics inbox file, webhook latency and resets.
/// The user's state directory only receives the results and the rollback journal, which
/// records the scratch daemon, mount and folder first so that a killed suite is cleaned up.
/// </summary>
public sealed class ChaosSuite
{
    private static readonly IReadOnlyList<SuiteExperiment> All =
    [
        new KillDaemonExperiment(),
        new CpuSaturationExperiment(),
        new MemoryPressureExperiment(),
        new DiskFullExperiment(),
        new CorruptInboxExperiment(),
        new WebhookExperiment(),
    ];

    private readonly StateDirectory state;
    private readonly WorkflowConfiguration configuration;
    private readonly ChaosSuiteOptions options;
    private readonly TimeProvider time;
    private readonly IReadOnlyList<SuiteExperiment> selected;

    /// <exception cref="ChaosException">An experiment named in the options does not exist.</exception>
    public ChaosSuite(StateDirectory state, WorkflowConfiguration configuration, ChaosSuiteOptions options, TimeProvider? time = null)
    {
        this.state = state;
        this.configuration = configuration;
        this.options = options;
        this.time = time ?? TimeProvider.System;
        var unknown = (options.Experiments ?? []).Where(key => All.All(e => !e.Key.Equals(key, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument,
                $"The suite has no experiment {string.Join(", ", unknown.Select(k => $"'{k}'"))}. -Target names some of: {ExperimentKeys}.");
        }
        selected = options.Experiments is { Count: > 0 } keys
            ? [.. All.Where(e => keys.Contains(e.Key, StringComparer.OrdinalIgnoreCase))]
            : All;
    }

    /// <summary>The keys of the suite's experiments, in the order they run.</summary>
    public static string ExperimentKeys => string.Join(", ", All.Select(e => e.Key));

    public string Name => "Suite: the framework's own resilience";

    /// <summary>What the suite would touch, one line each, for -WhatIf.</summary>
    public IReadOnlyList<string> Plan()
    {
        var scratch = Path.Combine(Path.GetTempPath(), "wa-chaos-suite-<id>");
        var mount = CanMount()
            ? $"Create {scratch} (0700) and mount a {options.ScratchMegaBytes} MB tmpfs on it"
            : UserNamespace.Available()
                ? $"Start this module again in a user and mount namespace of its own (unshare --user --map-root-user --mount); there, create {scratch} (0700) and mount a {options.ScratchMegaBytes} MB tmpfs on it, visible to nothing else"
                : $"Create {scratch} (0700); no tmpfs can be mounted here (root or unshare is needed), so the disk experiment reports what is missing instead";
        return
        [
            mount,
            $"Start a daemon of this module with its supervisor on that state directory ({options.Launch.PwshPath}), without a dashboard",
            .. selected.Select(e => e.Plan(options)),
            "Stop the scratch daemon and its supervisor, unmount and delete the scratch folder",
        ];
    }

    public async Task<ChaosResult> RunAsync(Action<ChaosProgress> progress, CancellationToken cancellationToken)
    {
        ChaosSafety.RequireEnabled(configuration);
        if (!CanMount() && UserNamespace.Available())
        {
            // Not root: the suite runs again in a user and mount namespace of its own, where it may mount its tmpfs.
            return await new UserNamespace(state, options, time).RunAsync(Name, progress, cancellationToken).ConfigureAwait(false);
        }
        var result = new ChaosResult
        {
            Id = ChaosRunner.NewId(time),
            Type = ChaosFaultType.Suite,
            Name = Name,
            StartTime = time.GetUtcNow(),
        };
        var scratchRoot = Path.Combine(Path.GetTempPath(), "wa-chaos-suite-" + result.Id);
        result.Target = scratchRoot;
        result.Parameters["FaultSeconds"] = options.FaultDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        result.Parameters["CpuPercent"] = options.CpuPercent.ToString(CultureInfo.InvariantCulture);
        result.Parameters["MemoryMegaBytes"] = options.MemoryMegaBytes.ToString(CultureInfo.InvariantCulture);
        result.Parameters["ScratchMegaBytes"] = options.ScratchMegaBytes.ToString(CultureInfo.InvariantCulture);
        var journal = RollbackJournal.Begin(state, result.Id);
        var touched = new List<(ChaosTouch Touch, RollbackJournal.JournalKind Kind)>();
        result.Parameters["Experiments"] = string.Join(",", selected.Select(e => e.Key));
        var clock = Stopwatch.StartNew();
        var expected = TimeSpan.FromSeconds(6 + selected.Sum(e => e.ExpectedSeconds(options)));
        void Report(string status) => progress(new ChaosProgress(Name, clock.Elapsed, expected, status));
        try
        {
            Report("starting a scratch daemon");
            var onTmpfs = Prepare(scratchRoot, journal, result, touched);
            var scratch = new StateDirectory(scratchRoot);
            var scratchEnvironment = ScratchEnvironment();
            var scratchConfiguration = WorkflowConfiguration.Load(scratch, new DictionaryEnvironment(scratchEnvironment));
            var launch = new Daemon.DaemonLaunchSettings
            {
                PwshPath = options.Launch.PwshPath,
                ModuleManifest = options.Launch.ModuleManifest,
                NoDashboard = true,
                Environment = scratchEnvironment,
            };
            var suiteOptions = new ChaosSuiteOptions
            {
                Launch = launch, FaultDuration = options.FaultDuration, CpuPercent = options.CpuPercent,
                MemoryMegaBytes = options.MemoryMegaBytes, ScratchMegaBytes = options.ScratchMegaBytes, RecoveryTimeout = options.RecoveryTimeout,
            };
            var runner = new ChaosRunner(new ChaosRunnerOptions { State = state, Configuration = configuration, Time = time });
            var suite = new SuiteContext(scratch, scratchConfiguration, suiteOptions, runner, state, onTmpfs, time);
            journal.StopDaemonLater(scratchRoot);
            touched.Add((Touch(result, "Daemon", scratchRoot, "scratch daemon and supervisor started"), RollbackJournal.JournalKind.StopDaemon));
            var started = Stopwatch.StartNew();
            suite.Daemon.StartDetached(launch, cancellationToken);
            Measure(result, "suite.daemon_start_s", started.Elapsed.TotalSeconds, "s");
            for (var index = 0; index < selected.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var experiment = selected[index];
                Report($"experiment {index + 1} of {selected.Count}: {experiment.Title}");
                var child = await experiment.RunAsync(suite, $"{result.Id}-{index + 1}-{experiment.Key}", cancellationToken).ConfigureAwait(false);
                result.Children.Add(child);
                Absorb(result, child, experiment.Key);
                if (child.Verdict == ChaosVerdict.Aborted && cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                // A daemon an experiment left down would fail every later one for the wrong reason.
                await suite.EnsureDaemonAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            result.Verdict = ChaosVerdict.Aborted;
            result.Message = "Stopped before the end (Ctrl+C or Stop-Job); the scratch daemon, mount and folder were removed.";
        }
        catch (Exception exception) when (exception is WorkflowAutomationException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            result.Verdict = ChaosVerdict.Failed;
            result.Message = "The suite could not run: " + exception.Message;
        }
        finally
        {
            Report("stopping the scratch daemon");
            Teardown(scratchRoot, journal, touched);
            if (result.Reverted)
            {
                journal.Complete();
            }
        }
        Conclude(result, cancellationToken.IsCancellationRequested);
        result.EndTime = time.GetUtcNow();
        Measure(result, "suite.duration_s", clock.Elapsed.TotalSeconds, "s");
        using (var store = ChaosStore.Open(state))
        {
            store.Save(result);
        }
        return result;
    }

    /// <summary>The scratch daemon's settings: quick health rounds and inbox passes, a supervisor, no chaos of its own.</summary>
    private static Dictionary<string, string> ScratchEnvironment() => new()
    {
        [ConfigurationKeys.HealthCheckInterval.Name] = "1",
        [ConfigurationKeys.MetricsInterval.Name] = "1",
        [ConfigurationKeys.AutoRestartMaxPerHour.Name] = "10",
        [ConfigurationKeys.ChaosEnabled.Name] = "false",
        [ConfigurationKeys.MaxParallelWorkflows.Name] = "20",
    };

    /// <summary>Whether this process may mount the scratch tmpfs.</summary>
    internal static bool CanMount() => OperatingSystem.IsLinux() && HostCommand.IsRoot() && HostCommand.Which("mount") is not null;

    /// <summary>Creates the scratch folder (journaled first) and mounts its tmpfs when it can; true when mounted.</summary>
    private bool Prepare(string scratchRoot, RollbackJournal journal, ChaosResult result, List<(ChaosTouch, RollbackJournal.JournalKind)> touched)
    {
        journal.DeleteFolderLater(scratchRoot);
        OwnerOnly.CreateDirectory(scratchRoot);
        touched.Add((Touch(result, "Folder", scratchRoot, "scratch state directory created"), RollbackJournal.JournalKind.DeleteFolder));
        if (!CanMount())
        {
            return false;
        }
        journal.UnmountLater(scratchRoot);
        ScratchMount.Mount(scratchRoot, options.ScratchMegaBytes);
        touched.Add((Touch(result, "Mount", scratchRoot, $"{options.ScratchMegaBytes} MB tmpfs mounted"), RollbackJournal.JournalKind.Unmount));
        return true;
    }

    /// <summary>Undoes in reverse order what the suite set up; each undone item leaves the journal.</summary>
    private static void Teardown(string scratchRoot, RollbackJournal journal, List<(ChaosTouch Touch, RollbackJournal.JournalKind Kind)> touched)
    {
        // The facades' pooled SQLite connections would keep the scratch databases, and so the tmpfs, open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var (touch, kind) in Enumerable.Reverse(touched))
        {
            try
            {
                touch.Revert = kind switch
                {
                    RollbackJournal.JournalKind.StopDaemon => StopDaemon(scratchRoot),
                    RollbackJournal.JournalKind.Unmount => ScratchMount.Unmount(scratchRoot),
                    _ => DeleteFolder(scratchRoot),
                };
                touch.Reverted = kind switch
                {
                    RollbackJournal.JournalKind.Unmount => !ScratchMount.IsMounted(scratchRoot),
                    RollbackJournal.JournalKind.DeleteFolder => !Directory.Exists(scratchRoot),
                    _ => true,
                };
                if (touch.Reverted)
                {
                    journal.Done(scratchRoot, kind);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException or WorkflowAutomationException)
            {
                touch.Revert = exception.Message;
            }
        }
    }

    /// <summary>Stops the scratch daemon as Stop-WorkflowDaemon -Force does (the supervisor first), then anything its pid files still name.</summary>
    private static string StopDaemon(string scratchRoot)
    {
        var paths = new Daemon.DaemonPaths(new StateDirectory(scratchRoot));
        try
        {
            using var client = Daemon.Ipc.DaemonClient.TryConnect(paths.State);
            Daemon.DaemonLauncher.Stop(paths, client, TimeSpan.Zero, force: true, CancellationToken.None);
        }
        catch (WorkflowAutomationException)
        {
            // Not answering: the pid files say what to kill.
        }
        var killed = ScratchMount.KillDaemon(scratchRoot);
        return killed == "killed" ? "stopped (what was left was killed)" : "stopped";
    }

    private static string DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        return "deleted";
    }

    /// <summary>Copies an experiment's timeline, touches and journal into the suite's, its measurements named after it.</summary>
    private static void Absorb(ChaosResult suite, ChaosResult child, string key)
    {
        suite.Measurements.AddRange(child.Measurements.Select(m => m with { Name = $"{key}.{m.Name}" }));
        suite.Touched.AddRange(child.Touched);
        suite.Events.Add(new ChaosEvent(child.StartTime, "Experiment", child.Name, null, "started"));
        suite.Events.AddRange(child.Events);
        suite.Events.Add(new ChaosEvent(child.EndTime ?? child.StartTime, "Experiment", child.Name, child.Verdict == ChaosVerdict.Passed,
            $"{child.Verdict}, score {child.Score:0}: {child.Message}"));
    }

    /// <summary>The suite's score is the mean of its experiments'; it passes when every experiment passed and everything was reverted.</summary>
    private static void Conclude(ChaosResult result, bool cancelled)
    {
        result.Score = result.Children.Count == 0 ? 0 : Math.Round(result.Children.Average(c => c.Score ?? 0), 1);
        if (cancelled)
        {
            result.Verdict = ChaosVerdict.Aborted;
            result.Message = "Stopped before the end (Ctrl+C or Stop-Job); the scratch daemon, mount and folder were removed.";
            return;
        }
        if (result.Message is not null)
        {
            // The suite could not be set up; the message says why.
            return;
        }
        var failed = result.Children.Where(c => c.Verdict != ChaosVerdict.Passed).ToList();
        if (!result.Reverted)
        {
            result.Verdict = ChaosVerdict.Failed;
            result.Message = "Not everything could be reverted: " + string.Join("; ", result.Touched.Where(t => !t.Reverted).Select(t => $"{t.What}: {t.Revert}"));
        }
        else if (failed.Count > 0)
        {
            result.Verdict = ChaosVerdict.Failed;
            result.Message = $"{failed.Count} of {result.Children.Count} experiments did not pass: " + string.Join("; ", failed.Select(c => $"{c.Name} ({c.Message})"));
        }
        else
        {
            result.Verdict = ChaosVerdict.Passed;
            result.Message = $"All {result.Children.Count} experiments passed; the scratch daemon, mount and folder were removed.";
        }
    }

    private ChaosTouch Touch(ChaosResult result, string kind, string what, string action)
    {
        var touch = new ChaosTouch { Kind = kind, What = what, Action = action };
        result.Touched.Add(touch);
        return touch;
    }

    private void Measure(ChaosResult result, string name, double value, string unit) =>
        result.Measurements.Add(new ChaosMeasurement(time.GetUtcNow(), name, value, unit));
}
