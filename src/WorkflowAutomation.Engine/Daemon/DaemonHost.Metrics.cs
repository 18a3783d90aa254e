using WorkflowAutomation.Execution;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Metrics.Collectors;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The daemon hosts the metrics collectors and the metrics inbox, and records its own
/// workflow metrics (runs and step durations, queue depth, running runs) through the same writer.
/// </summary>
public sealed partial class DaemonHost
{
    /// <summary>Accepted runs waiting for a slot, each METRICS_INTERVAL.</summary>
    public const string QueueDepthMetric = "daemon.queue.depth";

    /// <summary>Runs executing, each METRICS_INTERVAL.</summary>
    public const string RunningRunsMetric = "daemon.runs.running";

    private MetricStore? metrics;
    private MetricsCollectorService? collectors;
    private ExecutionMetrics? executionMetrics;
    private DateTimeOffset lastDaemonSample;

    private void StartMetrics()
    {
        // Created at start, so scripts have a folder to drop their metrics files into.
        State.EnsureFolder(State.MetricsInbox);
        metrics = MetricStore.Open(State, Configuration, time);
        executionMetrics = new ExecutionMetrics(metrics.Writer);
        collectors = MetricsCollectorService.FromConfiguration(metrics, State, Configuration, time);
        collectors.Start();
    }

    /// <summary>Tells the metrics about steps as they end (the executor's observer).</summary>
    private IRunObserver MetricsObserver() => new StepMetricsObserver(() => executionMetrics, runId => RunChanged?.Invoke(runId));

    /// <summary>
    /// A run of this daemon changed (a step moved, or the run was accepted). Raised on the
    /// executor's thread after the change was written; handlers must return at once.
    /// </summary>
    public event Action<string>? RunChanged;

    private void RecordRun(WorkflowRun run)
    {
        if (run.Status.HasEnded())
        {
            executionMetrics?.RunFinished(run.Name, run.Status, run.Duration ?? TimeSpan.Zero);
        }
    }

    /// <summary>Samples the queue every METRICS_INTERVAL, from the scheduler loop.</summary>
    private void RecordDaemonMetrics()
    {
        var now = time.GetUtcNow();
        if (metrics is null || queue is null || dispatcher is null || now - lastDaemonSample < Configuration.MetricsInterval)
        {
            return;
        }
        lastDaemonSample = now;
        metrics.Writer.Record(QueueDepthMetric, queue.Count(QueueState.Queued));
        metrics.Writer.Record(RunningRunsMetric, dispatcher.Running.Count);
    }

    private void StopMetrics()
    {
        collectors?.Stop();
        collectors?.Dispose();
        metrics?.Dispose();
        (collectors, metrics, executionMetrics) = (null, null, null);
    }

    private sealed class StepMetricsObserver(Func<ExecutionMetrics?> metrics, Action<string> changed) : IRunObserver
    {
        public void StepChanged(WorkflowRun run, WorkflowStepRun step)
        {
            changed(run.Id);
            if (step.Status.HasEnded() && !step.Reused)
            {
                metrics()?.StepFinished(run.Name, step.Name, step.Status, step.Duration ?? TimeSpan.Zero);
            }
        }
    }
}
