using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

public sealed class ParallelTaskStreamTests
{
    private static ParallelTaskStream Stream(ScriptedExecutor executor, int segmentSize, bool failFast = false, int throttle = 1) =>
        new(new ParallelBatchOptions { ThrottleLimit = throttle, CommandExecutor = executor, FailFast = failFast }, segmentSize);

    [Fact]
    public void Each_segment_runs_as_soon_as_it_is_full_so_the_stream_never_holds_more_than_one()
    {
        var executor = new ScriptedExecutor();
        var stream = Stream(executor, segmentSize: 3);
        var results = new List<ParallelTaskResult>();
        var reportedAfterEachAdd = new List<int>();

        for (var i = 0; i < 7; i++)
        {
            stream.Add(new ParallelTask { Command = "ok" }, results.Add);
            reportedAfterEachAdd.Add(results.Count);
        }
        var summary = stream.Complete(results.Add);

        Assert.Equal([0, 0, 3, 3, 3, 6, 6], reportedAfterEachAdd);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], results.Select(result => result.Id));
        Assert.Equal(7, summary!.Total);
        Assert.Equal(7, summary.Succeeded);
        Assert.Equal(7, stream.Finished);
    }

    [Fact]
    public void A_failure_under_FailFast_skips_every_task_of_the_later_segments()
    {
        var executor = new ScriptedExecutor();
        var stream = Stream(executor, segmentSize: 2, failFast: true);
        var results = new List<ParallelTaskResult>();

        foreach (var command in new[] { "ok", "fail", "ok", "ok", "ok" })
        {
            stream.Add(new ParallelTask { Command = command }, results.Add);
        }
        var summary = stream.Complete(results.Add);

        Assert.Equal(["1", "2"], executor.Started);
        Assert.Equal([ParallelTaskStatus.Succeeded, ParallelTaskStatus.Failed, ParallelTaskStatus.Skipped, ParallelTaskStatus.Skipped, ParallelTaskStatus.Skipped],
            results.Select(result => result.Status));
        Assert.All(results.Skip(2), result => Assert.Contains("after task '2' failed", result.Error, StringComparison.Ordinal));
        Assert.Equal((5, 1, 1, 3), (summary!.Total, summary.Succeeded, summary.Failed, summary.Skipped));
    }

    [Fact]
    public void A_stream_that_is_not_approved_runs_nothing_and_reports_nothing()
    {
        var executor = new ScriptedExecutor();
        var asked = new List<(int Tasks, bool InputEnded)>();
        var stream = new ParallelTaskStream(new ParallelBatchOptions { CommandExecutor = executor }, segmentSize: 2)
        {
            Approve = (runner, inputEnded) => { asked.Add((runner.Total, inputEnded)); return false; },
        };
        var results = new List<ParallelTaskResult>();

        for (var i = 0; i < 5; i++)
        {
            stream.Add(new ParallelTask { Command = "ok" }, results.Add);
        }

        Assert.Null(stream.Complete(results.Add));
        Assert.Equal([(2, false)], asked);
        Assert.Empty(executor.Started);
        Assert.Empty(results);
    }

    [Fact]
    public void Tasks_of_a_stream_cannot_depend_on_each_other()
    {
        var stream = Stream(new ScriptedExecutor(), segmentSize: 2);

        Assert.Throws<ArgumentException>(() => stream.Add(new ParallelTask { Command = "ok", DependsOn = ["1"] }, _ => { }));
    }
}
