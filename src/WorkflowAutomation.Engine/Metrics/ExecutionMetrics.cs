using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The metrics the workflow engine and the parallel executor record, through the same writer
/// as everything else. Counters count in this process from zero (rate() treats a restart as a
/// reset); durations are gauges in seconds. Tags: workflow, step, status.
/// </summary>
public sealed class ExecutionMetrics(MetricsWriter writer)
{
    /// <summary>Counter of finished runs, tagged workflow and status.</summary>
    public const string Runs = "workflow.runs";

    /// <summary>Gauge: seconds a finished run took, tagged workflow.</summary>
    public const string RunDuration = "workflow.run.duration";

    /// <summary>Counter of finished steps, tagged workflow and status.</summary>
    public const string Steps = "workflow.steps";

    /// <summary>Gauge: seconds a finished step took, tagged workflow and step.</summary>
    public const string StepDuration = "workflow.step.duration";

    /// <summary>Counter of finished parallel tasks, tagged status.</summary>
    public const string TasksCompleted = "parallel.tasks.completed";

    /// <summary>Gauge: mean seconds of the parallel tasks that finished since the previous sample.</summary>
    public const string TaskDuration = "parallel.task.duration";

    /// <summary>Gauge: tasks waiting for a worker.</summary>
    public const string QueueDepth = "parallel.queue.depth";

    /// <summary>Gauge: workers busy now.</summary>
    public const string ActiveWorkers = "parallel.workers.active";

    private readonly ConcurrentDictionary<MetricSeries, StrongBox<long>> counts = new();

    public void RunFinished(string workflow, RunStatus status, TimeSpan duration)
    {
        Count(Runs, new() { ["workflow"] = workflow, ["status"] = status.ToString() });
        writer.Record(RunDuration, duration.TotalSeconds, MetricType.Gauge, new Dictionary<string, string> { ["workflow"] = workflow });
    }

    public void StepFinished(string workflow, string step, StepStatus status, TimeSpan duration)
    {
        Count(Steps, new() { ["workflow"] = workflow, ["status"] = status.ToString() });
        writer.Record(StepDuration, duration.TotalSeconds, MetricType.Gauge,
            new Dictionary<string, string> { ["workflow"] = workflow, ["step"] = step });
    }

    /// <summary>
    /// Parallel tasks that ended with a status (Succeeded, Failed, TimedOut …) since the previous
    /// call, and their total duration. The executor reports in batches, once a second: one sample
    /// per task would cost more than starting the task itself.
    /// </summary>
    public void TasksFinished(Enum status, int count, TimeSpan totalDuration)
    {
        if (count <= 0)
        {
            return;
        }
        Count(TasksCompleted, new() { ["status"] = status.ToString() }, count);
        writer.Record(TaskDuration, totalDuration.TotalSeconds / count);
    }

    public void QueueDepthChanged(int depth) => writer.Record(QueueDepth, depth);

    public void ActiveWorkersChanged(int workers) => writer.Record(ActiveWorkers, workers);

    private void Count(string name, Dictionary<string, string> tags, int by = 1)
    {
        var series = writer.Series(name, MetricType.Counter, tags);
        var box = counts.GetOrAdd(series, _ => new StrongBox<long>());
        // Under the lock, so that values and their implicit timestamps rise together.
        lock (box)
        {
            series.Record(box.Value += by);
        }
    }
}
