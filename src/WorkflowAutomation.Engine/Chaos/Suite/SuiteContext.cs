using System.Diagnostics;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The scratch daemon the suite's experiments act on, reached only through the facades a user's
/// cmdlets use, and the runner that injects the faults (journaled in the user's state directory).
/// </summary>
internal sealed class SuiteContext(StateDirectory scratch, WorkflowConfiguration scratchConfiguration, ChaosSuiteOptions options,
    ChaosRunner runner, StateDirectory userState, bool onTmpfs, TimeProvider time)
{
    public StateDirectory Scratch { get; } = scratch;

    public ChaosSuiteOptions Options { get; } = options;

    public ChaosRunner Runner { get; } = runner;

    /// <summary>Where faults keep their backups and journals: the state directory of the user running the suite.</summary>
    public StateDirectory UserState { get; } = userState;

    /// <summary>Whether the scratch state directory is a tmpfs of its own (the disk experiment needs it).</summary>
    public bool OnTmpfs { get; } = onTmpfs;

    public TimeProvider Time { get; } = time;

    public WorkflowDaemon Daemon => new(Scratch, scratchConfiguration);

    public WorkflowRuns Runs => new(Scratch);

    public WorkflowMetrics Metrics => new(Scratch, scratchConfiguration);

    /// <summary>The daemon's status and how long it took to answer; null when it did not answer as Running in time.</summary>
    public async Task<(DaemonStatus? Status, double Milliseconds)> StatusAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            var status = await Task.Run(() => Daemon.Status(limit.Token), limit.Token).WaitAsync(timeout).ConfigureAwait(false);
            return (status.State == DaemonState.Running ? status : null, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception exception) when (exception is WorkflowAutomationException or OperationCanceledException or TimeoutException or IOException)
        {
            return (null, clock.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>Writes a workflow file into the scratch state directory.</summary>
    public string Workflow(string name, string yaml)
    {
        var folder = Scratch.EnsureFolder(Scratch.WorkflowsFolder);
        var path = Path.Combine(folder, name + ".yaml");
        OwnerOnly.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Submits a workflow to the scratch daemon and says how long the daemon took to accept it.</summary>
    public (WorkflowRun Run, double Milliseconds) Submit(string path, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var run = Daemon.Submit(path, new Dictionary<string, string>(), token);
        return (run, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Waits for a run to end; the run as it is when the time is up, or null when it cannot be read.</summary>
    public WorkflowRun? WaitRun(string id, TimeSpan timeout, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                var left = timeout - clock.Elapsed;
                return Runs.Wait(id, left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left, null, token);
            }
            catch (WorkflowAutomationException)
            {
                // The daemon is down for a moment (a kill, a restart) or the wait timed out: read again.
                Thread.Sleep(200);
            }
        }
        try
        {
            return Runs.Get(id);
        }
        catch (WorkflowAutomationException)
        {
            return null;
        }
    }

    /// <summary>Polls a condition until it holds or the time is up.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken token, int pollMilliseconds = 100)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(pollMilliseconds, token).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Starts the scratch daemon (and its supervisor) unless one answers.</summary>
    public async Task EnsureDaemonAsync(CancellationToken token)
    {
        if ((await StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false)).Status is not null)
        {
            return;
        }
        Daemon.StartDetached(Options.Launch, token);
    }
}
