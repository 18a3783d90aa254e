using System.Diagnostics;
using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

/// <summary>
/// Real processes: a success that nothing waits on does not wake the coordinating thread by
/// itself (it costs two context switches a task), yet every result still comes out as its
/// task finishes.
/// </summary>
public sealed class CoordinatorWakeUpTests
{
    [Fact]
    public void Many_short_successes_wake_the_coordinator_far_less_than_once_a_task()
    {
        var tasks = Enumerable.Range(1, 200).Select(i => new ParallelTask { Id = $"t{i}", Command = "true" }).ToArray();
        var runner = new ParallelBatchRunner(tasks, new ParallelBatchOptions { ThrottleLimit = 2 });
        var results = new List<ParallelTaskResult>();

        var summary = runner.Run(results.Add);

        Assert.Equal(200, summary.Succeeded);
        Assert.Equal(200, results.Count);
        Assert.True(runner.CoordinatorWakeUps < 100, $"{runner.CoordinatorWakeUps} wake-ups for 200 tasks");
    }

    [Fact]
    public void A_success_is_written_while_a_longer_task_still_runs()
    {
        var tasks = new[]
        {
            new ParallelTask { Id = "long", Command = "sleep 4", Priority = 1 },
            new ParallelTask { Id = "short", Command = "true", Priority = 2 },
        };
        var runner = new ParallelBatchRunner(tasks, new ParallelBatchOptions { ThrottleLimit = 2 });
        var clock = Stopwatch.StartNew();
        var written = new List<(string Id, TimeSpan At)>();

        runner.Run(result => written.Add((result.Id, clock.Elapsed)));

        Assert.Equal(["short", "long"], written.Select(w => w.Id));
        Assert.True(written[0].At < TimeSpan.FromSeconds(3), $"the short task's result came at {written[0].At}");
    }

    [Fact]
    public void Failures_and_dependants_are_heard_at_once_and_the_batch_ends_with_its_last_task()
    {
        var tasks = new[]
        {
            new ParallelTask { Id = "a", Command = "true" },
            new ParallelTask { Id = "b", Command = "true", DependsOn = ["a"] },
            new ParallelTask { Id = "c", Command = "false", DependsOn = ["b"] },
            new ParallelTask { Id = "d", Command = "true", DependsOn = ["c"] },
        };
        var runner = new ParallelBatchRunner(tasks, new ParallelBatchOptions { ThrottleLimit = 2 });
        var results = new List<ParallelTaskResult>();

        var summary = runner.Run(results.Add);

        Assert.Equal(["a", "b", "c", "d"], results.Select(r => r.Id));
        Assert.Equal((2, 1, 1), (summary.Succeeded, summary.Failed, summary.Skipped));
    }
}
