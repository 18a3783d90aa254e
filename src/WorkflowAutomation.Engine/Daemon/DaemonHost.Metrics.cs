using WorkflowAutomation.Execution;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The daemon hosts its metrics (<see cref="DaemonMetrics"/>): the collectors, the inbox and
/// its own workflow and queue series.
/// </summary>
public sealed partial class DaemonHost
{
    /// <summary>Accepted runs waiting for a slot, each METRICS_INTERVAL.</summary>
    public const string QueueDepthMetric = "daemon.queue.depth";

    /// <summary>Runs executing, each METRICS_INTERVAL.</summary>
    public const string RunningRunsMetric = "daemon.runs.running";

    private DaemonMetrics? metrics;

    /// <summary>Tells the metrics about steps as they end (the executor's observer).</summary>
    private IRunObserver MetricsObserver() => metrics!.Observer(runId => RunChanged?.Invoke(runId));

    /// <summary>
    /// A run of this daemon changed (a step moved, or the run was accepted). Raised on the
    /// executor's thread after the change was written; handlers must return at once.
    /// </summary>
    public event Action<string>? RunChanged;

    private void RecordRun(WorkflowRun run) => metrics?.RunChanged(run);

    /// <summary>Samples the queue every METRICS_INTERVAL, from the scheduler loop.</summary>
    private void RecordDaemonMetrics()
    {
        if (queue is not null && dispatcher is not null)
        {
            metrics?.SampleQueue(queue.Count(QueueState.Queued), dispatcher.Running.Count);
        }
    }

    private void StopMetrics()
    {
        metrics?.Dispose();
        metrics = null;
    }
}
