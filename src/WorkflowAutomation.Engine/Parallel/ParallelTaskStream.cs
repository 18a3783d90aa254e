using System.Diagnostics;
using System.Globalization;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// Runs a stream of independent tasks of unknown length (a script block over pipeline input)
/// in segments: up to <see cref="SegmentSize"/> tasks are taken, then run as one
/// <see cref="ParallelBatchRunner"/> batch on the caller's thread while the stream waits, then
/// the next segment is taken. So memory stays bounded by a segment however many tasks stream
/// through, and results come in input order across segments as they do within one. Each task
/// gets its 1-based input position as id.
/// </summary>
public sealed class ParallelTaskStream
{
    /// <summary>
    /// Tasks per segment. <value>The default value is 16,384</value>: a few tens of megabytes of
    /// tasks and results at most, and at tens of thousands of tasks a second a segment runs long
    /// enough that the pause at its end (workers finishing its last tasks) costs well under 1 %.
    /// </summary>
    public const int DefaultSegmentSize = 16_384;

    private readonly ParallelBatchOptions options;
    private readonly List<ParallelTask> pending = [];
    private readonly SummaryTotals totals = new();
    private readonly Stopwatch clock = new();
    private ParallelBatchRunner? current;
    private long position;
    private long finished;
    private bool? approved;
    private string? failedBy;

    public ParallelTaskStream(ParallelBatchOptions options, int segmentSize = DefaultSegmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        options.Validate();
        this.options = options;
        SegmentSize = segmentSize;
    }

    public int SegmentSize { get; }

    /// <summary>Tasks taken so far.</summary>
    public long Count => position;

    /// <summary>Tasks with a final result so far (safe to read from any thread).</summary>
    public long Finished => Interlocked.Read(ref finished) + (current?.Finished ?? 0);

    /// <summary>
    /// Asked once, before the first segment runs, with that segment's batch and whether the
    /// input has ended (-WhatIf and -Confirm); when it says no, nothing of the stream runs and
    /// no result is reported.
    /// </summary>
    public Func<ParallelBatchRunner, bool, bool>? Approve { get; init; }

    /// <summary>
    /// Takes a task (it must depend on none); when that fills a segment, runs the segment,
    /// calling <paramref name="onResult"/> on this thread for each task as it finishes.
    /// </summary>
    public void Add(ParallelTask task, Action<ParallelTaskResult> onResult, CancellationToken cancellation = default)
    {
        if (task.DependsOn.Count > 0)
        {
            throw new ArgumentException("Tasks of a stream run independently; give DependsOn to tasks of a batch.", nameof(task));
        }
        position++;
        pending.Add(new ParallelTask
        {
            Id = position.ToString(CultureInfo.InvariantCulture),
            Priority = task.Priority,
            Command = task.Command,
            ScriptBlock = task.ScriptBlock,
            ArgumentList = task.ArgumentList,
            Line = task.Line,
        });
        if (pending.Count >= SegmentSize)
        {
            RunSegment(onResult, cancellation, inputEnded: false);
        }
    }

    /// <summary>
    /// Runs what is left and returns the whole stream's summary (null when nothing ran): counts
    /// and retries add up; the pickup latency is the task-weighted median of the segments'
    /// medians and the largest of their 99th percentiles.
    /// </summary>
    public ParallelBatchSummary? Complete(Action<ParallelTaskResult> onResult, CancellationToken cancellation = default)
    {
        RunSegment(onResult, cancellation, inputEnded: true);
        return totals.Summary(clock.Elapsed);
    }

    private void RunSegment(Action<ParallelTaskResult> onResult, CancellationToken cancellation, bool inputEnded)
    {
        if (pending.Count == 0)
        {
            return;
        }
        var segment = pending.ToArray();
        pending.Clear();
        if (failedBy is not null)
        {
            // -FailFast: a task of an earlier segment failed for good, so no later task starts.
            foreach (var task in segment)
            {
                Report(onResult, NotRun(task, $"Not run: -FailFast stopped the batch after task '{failedBy}' failed."));
            }
            return;
        }
        var runner = new ParallelBatchRunner(segment, options);
        approved ??= Approve?.Invoke(runner, inputEnded) ?? true;
        if (approved == false)
        {
            return;
        }
        clock.Start();
        current = runner;
        ParallelBatchSummary summary;
        try
        {
            summary = runner.Run(result =>
            {
                if (options.FailFast && result.Status is ParallelTaskStatus.Failed or ParallelTaskStatus.TimedOut)
                {
                    failedBy ??= result.Id;
                }
                onResult(result);
            }, cancellation);
        }
        finally
        {
            Interlocked.Add(ref finished, runner.Finished);
            current = null;
            clock.Stop();
        }
        totals.Add(summary);
    }

    private void Report(Action<ParallelTaskResult> onResult, ParallelTaskResult result)
    {
        Interlocked.Increment(ref finished);
        totals.AddUnstarted(result.Status);
        onResult(result);
    }

    private static ParallelTaskResult NotRun(ParallelTask task, string why) => new()
    {
        Id = task.Id,
        Priority = task.Priority,
        Command = task.Text,
        Status = ParallelTaskStatus.Skipped,
        Error = why,
        Attempts = 0,
    };

    /// <summary>The segments' summaries added up, without keeping them.</summary>
    private sealed class SummaryTotals
    {
        private ParallelBatchSummary? only;
        private int segments, total, succeeded, failed, timedOut, skipped, cancelled, throttle, steals, retries;
        private double ran, cpuSeconds, workerSeconds, runSeconds;
        private TimeSpan worstP99;
        private readonly List<(TimeSpan P50, int Tasks)> medians = [];

        public void Add(ParallelBatchSummary summary)
        {
            only = segments == 0 ? summary : null;
            segments++;
            total += summary.Total;
            succeeded += summary.Succeeded;
            failed += summary.Failed;
            timedOut += summary.TimedOut;
            skipped += summary.Skipped;
            cancelled += summary.Cancelled;
            throttle = Math.Max(throttle, summary.ThrottleLimit);
            steals += summary.Steals;
            retries += summary.Retries;
            var seconds = summary.Elapsed.TotalSeconds;
            runSeconds += seconds;
            ran += summary.TasksPerSecond * seconds;
            cpuSeconds += summary.CpuUtilization * seconds;
            workerSeconds += summary.WorkerUtilization * seconds;
            worstP99 = summary.PickupLatencyP99 > worstP99 ? summary.PickupLatencyP99 : worstP99;
            // One entry a segment: 61 for a million tasks.
            medians.Add((summary.PickupLatencyP50, summary.Total));
        }

        public void AddUnstarted(ParallelTaskStatus status)
        {
            only = null;
            total++;
            if (status == ParallelTaskStatus.Skipped)
            {
                skipped++;
            }
            else
            {
                cancelled++;
            }
        }

        public ParallelBatchSummary? Summary(TimeSpan elapsed)
        {
            if (only is not null || segments == 0)
            {
                return only;
            }
            var half = medians.Sum(m => m.Tasks) / 2.0;
            var median = TimeSpan.Zero;
            foreach (var (p50, tasks) in medians.OrderBy(m => m.P50))
            {
                median = p50;
                half -= tasks;
                if (half <= 0)
                {
                    break;
                }
            }
            return new ParallelBatchSummary
            {
                Total = total,
                Succeeded = succeeded,
                Failed = failed,
                TimedOut = timedOut,
                Skipped = skipped,
                Cancelled = cancelled,
                ThrottleLimit = throttle,
                Elapsed = elapsed,
                TasksPerSecond = elapsed > TimeSpan.Zero ? ran / elapsed.TotalSeconds : 0,
                PickupLatencyP50 = median,
                PickupLatencyP99 = worstP99,
                CpuUtilization = Math.Round(runSeconds > 0 ? cpuSeconds / runSeconds : 0, 1),
                WorkerUtilization = Math.Round(runSeconds > 0 ? workerSeconds / runSeconds : 0, 1),
                Steals = steals,
                Retries = retries,
            };
        }
    }
}
