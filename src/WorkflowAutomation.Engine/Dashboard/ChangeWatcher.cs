using WorkflowAutomation.Daemon;
using WorkflowAutomation.Dashboard.Queries;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// Looks for changes while a page is open and tells the pages through the <see cref="EventHub"/>:
/// runs and their steps (any process's: the daemon's and sessions' runs share runs.db), new
/// log lines, approvals, breakers, health and new metric points. It reads the stores a few
/// times a second, only while a page is connected; each look is a handful of indexed queries.
/// </summary>
internal sealed class ChangeWatcher(DaemonHost host, RunQueries runs, EventHub hub, TimeSpan interval, TimeProvider time) : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly SemaphoreSlim poke = new(0, 1);
    private readonly Dictionary<string, RunFingerprint> known = new(StringComparer.Ordinal);
    private long createdAfter;
    private long lastLogSeq;
    private string breakers = "";
    private string health = "";
    private DateTimeOffset? lastMetric;
    private int tick;
    private Task? loop;

    public void Start()
    {
        hub.FirstClientConnected += () => wake.Release();
        // The daemon's own runs are pushed: a page sees them at once, not at the next look.
        host.RunChanged += Poke;
        loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            if (hub.ClientCount == 0)
            {
                try
                {
                    await wake.WaitAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                Baseline();
            }
            try
            {
                if (await poke.WaitAsync(interval, stopping.Token).ConfigureAwait(false))
                {
                    // A burst of changes (a step ends, the next starts) costs one look.
                    await Task.Delay(TimeSpan.FromMilliseconds(15), time, stopping.Token).ConfigureAwait(false);
                }
                Look();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                host.Log.Warn("The dashboard could not look for changes: " + exception.Message);
            }
        }
    }

    private void Poke(string runId)
    {
        if (hub.ClientCount > 0 && poke.CurrentCount == 0)
        {
            try
            {
                poke.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>What is there when a page connects is what it loaded; only what changes after is sent.</summary>
    private void Baseline()
    {
        known.Clear();
        createdAfter = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        foreach (var run in runs.Fingerprints(createdAfter, []))
        {
            known[run.Id] = run;
        }
        lastLogSeq = runs.LogsAfter(long.MaxValue).Last;
        breakers = BreakerText();
        health = HealthText();
        lastMetric = NewestMetric();
    }

    private void Look()
    {
        tick++;
        var (seen, last, logged) = runs.Changes(createdAfter, known.Keys.ToList(), lastLogSeq);
        var active = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in seen)
        {
            createdAfter = Math.Max(createdAfter, run.Created);
            var before = known.GetValueOrDefault(run.Id);
            if (before is null || before.Status != run.Status || before.Steps != run.Steps)
            {
                hub.Publish("run", new { run.Id, run.Name, run.Status, Steps = Steps(run.Steps) });
                if (run.Steps.Contains("=WaitingForApproval", StringComparison.Ordinal) != (before?.Steps.Contains("=WaitingForApproval", StringComparison.Ordinal) ?? false))
                {
                    hub.Publish("approval", new { run.Id, run.Name });
                }
            }
            known[run.Id] = run;
            if (run.Status is RunStatus.Queued or RunStatus.Running or RunStatus.WaitingForApproval)
            {
                active.Add(run.Id);
            }
        }
        // Ended runs were sent once more as they ended; they need no more watching.
        foreach (var id in known.Keys.Where(id => !active.Contains(id)).ToList())
        {
            known.Remove(id);
        }
        if (logged.Count > 0)
        {
            hub.Publish("log", new { Runs = logged, Seq = last });
        }
        lastLogSeq = last;
        if (tick % 2 == 0)
        {
            Compare(ref breakers, BreakerText(), "breaker");
            Compare(ref health, HealthText(), "health");
            if (NewestMetric() is { } newest && newest != lastMetric)
            {
                lastMetric = newest;
                hub.Publish("metrics", new { At = newest });
            }
        }
    }

    private void Compare(ref string previous, string current, string name)
    {
        if (current != previous)
        {
            previous = current;
            hub.Publish(name, new { });
        }
    }

    private static IEnumerable<object> Steps(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
    {
        var equals = pair.LastIndexOf('=');
        var slash = pair.LastIndexOf('/');
        return (object)new { Name = pair[..equals], Status = pair[(equals + 1)..slash] };
    });

    private string BreakerText() => string.Join(";", host.Breakers.List().Select(breaker => $"{breaker.Name}={breaker.State}/{breaker.Failures}"));

    private string HealthText()
    {
        var status = host.GetStatus();
        return $"{status.Health}|{status.QueueDepth}|{string.Join(",", status.RunningRuns)}|{status.WaitingForApproval}|{string.Join(",", status.HealthChecks.Select(check => check.Status))}";
    }

    private DateTimeOffset? NewestMetric() =>
        host.Metrics?.Reader.ListSeries("system.cpu.usage").Select(series => series.LastTimestamp).Max();

    public void Dispose()
    {
        host.RunChanged -= Poke;
        stopping.Cancel();
        try
        {
            loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stopping.Dispose();
    }
}
