using WorkflowAutomation.Configuration;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Metrics.Collectors;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The daemon's metrics: the store, the system collectors and the inbox, and the daemon's own
/// series (run and step durations, queue depth, running runs) through the same writer.
/// </summary>
internal sealed class DaemonMetrics : IDisposable
{
    private readonly ExecutionMetrics execution;
    private readonly TimeSpan interval;
    private readonly TimeProvider time;
    private DateTimeOffset lastSample;

    public DaemonMetrics(StateDirectory state, WorkflowConfiguration configuration, TimeProvider time)
    {
        // Created at start, so scripts have a folder to drop their metrics files into.
        state.EnsureFolder(state.MetricsInbox);
        Store = MetricStore.Open(state, configuration, time);
        execution = new ExecutionMetrics(Store.Writer);
        Collectors = MetricsCollectorService.FromConfiguration(Store, state, configuration, time);
        Collectors.Start();
        interval = configuration.MetricsInterval;
        this.time = time;
    }

    /// <summary>The metrics store of the state directory, open for the daemon's lifetime.</summary>
    public MetricStore Store { get; }

    /// <summary>The collectors and the inbox, whose progress the health check watches.</summary>
    public MetricsCollectorService Collectors { get; }

    /// <summary>Tells the metrics about steps as they end (the executor's observer); <paramref name="changed"/> hears of every change.</summary>
    public IRunObserver Observer(Action<string> changed) => new StepMetricsObserver(execution, changed);

    public void RunChanged(WorkflowRun run)
    {
        if (run.Status.HasEnded())
        {
            execution.RunFinished(run.Name, run.Status, run.Duration ?? TimeSpan.Zero);
        }
    }

    /// <summary>Samples the queue once every METRICS_INTERVAL, however often it is called.</summary>
    public void SampleQueue(int queued, int running)
    {
        var now = time.GetUtcNow();
        if (now - lastSample < interval)
        {
            return;
        }
        lastSample = now;
        Store.Writer.Record(DaemonHost.QueueDepthMetric, queued);
        Store.Writer.Record(DaemonHost.RunningRunsMetric, running);
    }

    public void Dispose()
    {
        Collectors.Stop();
        Collectors.Dispose();
        Store.Dispose();
    }

    private sealed class StepMetricsObserver(ExecutionMetrics metrics, Action<string> changed) : IRunObserver
    {
        public void StepChanged(WorkflowRun run, WorkflowStepRun step)
        {
            changed(run.Id);
            if (step.Status.HasEnded() && !step.Reused)
            {
                metrics.StepFinished(run.Name, step.Name, step.Status, step.Duration ?? TimeSpan.Zero);
            }
        }
    }
}
