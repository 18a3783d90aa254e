using WorkflowAutomation.Metrics;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>
/// The Performance page: run and step durations per workflow (p50/p95, from the duration
/// metrics every run records, daemon and session alike), success rates and submit-to-start
/// latency (from the run history), and the parallel executor's and the queue's series.
/// </summary>
public sealed class PerformanceQuery(MetricQueries metrics, RunQueries runs, TimeProvider time)
{
    public object Read(string range)
    {
        var since = time.GetUtcNow() - MetricQueries.Span(range);
        var timings = runs.Timings(since);
        var runDurations = metrics.Raw(ExecutionMetrics.RunDuration, range);
        var stepDurations = metrics.Raw(ExecutionMetrics.StepDuration, range);
        var workflows = timings.GroupBy(timing => timing.Name).Select(group =>
        {
            var durations = runDurations.Where(sample => Tag(sample.Tags, "workflow") == group.Key).Select(sample => sample.Value).ToList();
            var ended = group.Count(run => run.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled);
            var succeeded = group.Count(run => run.Status == RunStatus.Succeeded);
            return new
            {
                Workflow = group.Key,
                Runs = group.Count(),
                Succeeded = succeeded,
                Failed = group.Count(run => run.Status == RunStatus.Failed),
                SuccessRate = ended == 0 ? (double?)null : (double)succeeded / ended,
                P50Seconds = Percentile(durations, 0.50),
                P95Seconds = Percentile(durations, 0.95),
            };
        }).OrderByDescending(row => row.Runs).ToList();
        var steps = stepDurations.GroupBy(sample => (Workflow: Tag(sample.Tags, "workflow"), Step: Tag(sample.Tags, "step"))).Select(group => new
        {
            group.Key.Workflow,
            group.Key.Step,
            Count = group.Count(),
            P50Seconds = Percentile(group.Select(sample => sample.Value).ToList(), 0.50),
            P95Seconds = Percentile(group.Select(sample => sample.Value).ToList(), 0.95),
        }).OrderBy(row => row.Workflow).ThenBy(row => row.Step).ToList();
        var latencies = timings.Where(timing => timing.Origin == "daemon" && timing.Start is not null)
            .Select(timing => TimeSpan.FromMilliseconds(timing.Start!.Value - timing.Created).TotalSeconds).Where(seconds => seconds >= 0).ToList();
        var (start, end, resolution) = metrics.Window(range, null);
        return new
        {
            Range = range,
            Resolution = resolution.Label(),
            Workflows = workflows,
            Steps = steps,
            SubmitToStart = new { Count = latencies.Count, P50Seconds = Percentile(latencies, 0.50), P95Seconds = Percentile(latencies, 0.95) },
            RunDurations = runDurations.GroupBy(sample => Tag(sample.Tags, "workflow")).Select(group => new ChartSeries(
                ExecutionMetrics.RunDuration, "workflow=" + group.Key, "Gauge",
                group.Select(sample => new[] { sample.Timestamp.ToUnixTimeMilliseconds() / 1000.0, sample.Value }).ToList())).ToList(),
            Executor = metrics.Series(new MetricQuery { Name = ExecutionMetrics.TasksCompleted, Start = start, End = end, Resolution = resolution == MetricResolution.Raw ? MetricResolution.OneMinute : resolution, Aggregate = MetricAggregate.Rate })
                .Concat(metrics.Series(new MetricQuery { Name = ExecutionMetrics.QueueDepth, Start = start, End = end, Resolution = resolution }))
                .Concat(metrics.Series(new MetricQuery { Name = "daemon.queue.depth", Start = start, End = end, Resolution = resolution }))
                .ToList(),
        };
    }

    private static string Tag(string tags, string key)
    {
        foreach (var pair in tags.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals] == key)
            {
                return pair[(equals + 1)..];
            }
        }
        return "";
    }

    /// <summary>Nearest-rank percentile; null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
