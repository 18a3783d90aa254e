using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

public sealed class ParallelBatchRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static ParallelTask Make(string id, string command, int priority = 5, params string[] dependsOn) =>
        new() { Id = id, Command = command, Priority = priority, DependsOn = dependsOn };

    private static (List<ParallelTaskResult> Results, ParallelBatchSummary Summary) Run(ScriptedExecutor executor, IReadOnlyList<ParallelTask> tasks,
        int throttle = 1, bool failFast = false, int retries = 0, CancellationToken cancellation = default)
    {
        var runner = new ParallelBatchRunner(tasks, new ParallelBatchOptions
        {
            ThrottleLimit = throttle,
            CommandExecutor = executor,
            FailFast = failFast,
            RetryCount = retries,
            RetryDelay = TimeSpan.Zero,
        });
        var results = new List<ParallelTaskResult>();
        var summary = runner.Run(results.Add, cancellation);
        return (results, summary);
    }

    [Fact]
    public void Starts_by_priority_then_in_input_order()
    {
        var executor = new ScriptedExecutor();
        var tasks = new[] { Make("p5a", "ok"), Make("p1a", "ok", 1), Make("p10", "ok", 10), Make("p5b", "ok"), Make("p1b", "ok", 1), Make("p2", "ok", 2) };

        var (results, summary) = Run(executor, tasks);

        Assert.Equal(["p1a", "p1b", "p2", "p5a", "p5b", "p10"], executor.Started);
        Assert.Equal(executor.Started, results.Select(r => r.Id));
        Assert.Equal(6, summary.Succeeded);
        Assert.All(results, r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task Priorities_hold_across_workers()
    {
        var executor = new ScriptedExecutor();
        // Two workers, both busy: whatever queues the waiting tasks were dealt to, priority 1 goes first.
        var tasks = new[] { Make("hold1", "hold:a", 1), Make("hold2", "hold:b", 1), Make("low1", "ok", 9), Make("low2", "ok", 9), Make("urgent", "ok", 2) };
        var run = Task.Run(() => Run(executor, tasks, throttle: 2));
        WaitForStarts(executor, 2);

        executor.Release("a");
        executor.Release("b");
        var (results, _) = await run.WaitAsync(Patience);

        Assert.Equal("urgent", executor.Started[2]);
        Assert.Equal(5, results.Count(r => r.Succeeded));
    }

    [Fact]
    public async Task An_idle_worker_steals_from_a_busy_workers_queue()
    {
        var executor = new ScriptedExecutor();
        // Dealt alternately: worker 0 gets 'long' and 'c', worker 1 'b' and 'd'. While 'long'
        // holds its worker, the other runs dry and takes what waits in the busy worker's queue:
        // every other task starts before 'long' is released.
        var tasks = new[] { Make("long", "hold:long"), Make("b", "ok"), Make("c", "ok"), Make("d", "ok") };
        var run = Task.Run(() => Run(executor, tasks, throttle: 2));
        WaitForStarts(executor, 4);
        executor.Release("long");

        var (results, summary) = await run.WaitAsync(Patience);

        Assert.Equal(4, results.Count(r => r.Succeeded));
        Assert.Contains(results, r => r.Stolen);
        Assert.True(summary.Steals >= 1);
    }

    [Fact]
    public void A_task_starts_only_after_its_dependencies_succeeded()
    {
        var executor = new ScriptedExecutor();
        // 'deploy' has the best priority but must wait for both others.
        var tasks = new[] { Make("build", "ok", 5), Make("test", "ok", 5, "build"), Make("deploy", "ok", 1, "build", "test") };

        var (results, _) = Run(executor, tasks, throttle: 3);

        Assert.Equal(["build", "test", "deploy"], executor.Started);
        Assert.All(results, r => Assert.Equal(ParallelTaskStatus.Succeeded, r.Status));
    }

    [Fact]
    public void Dependants_of_a_failed_task_are_skipped_and_say_why()
    {
        var executor = new ScriptedExecutor();
        var tasks = new[] { Make("build", "fail"), Make("test", "ok", 5, "build"), Make("deploy", "ok", 5, "test"), Make("docs", "ok") };

        var (results, summary) = Run(executor, tasks, throttle: 2);

        var byId = results.ToDictionary(r => r.Id);
        Assert.Equal(ParallelTaskStatus.Failed, byId["build"].Status);
        Assert.Equal(ParallelTaskStatus.Skipped, byId["test"].Status);
        Assert.Contains("'build', which failed", byId["test"].Error);
        Assert.Equal(ParallelTaskStatus.Skipped, byId["deploy"].Status);
        Assert.Contains("'test', which skipped", byId["deploy"].Error);
        Assert.Equal(0, byId["deploy"].Attempts);
        Assert.Equal(ParallelTaskStatus.Succeeded, byId["docs"].Status);
        Assert.DoesNotContain("test", executor.Started);
        Assert.Equal((1, 2, 1), (summary.Failed, summary.Skipped, summary.Succeeded));
    }

    [Fact]
    public void FailFast_starts_nothing_after_the_first_failure()
    {
        var executor = new ScriptedExecutor();
        var tasks = new[] { Make("first", "ok", 1), Make("breaks", "fail", 2), Make("later1", "ok", 3), Make("later2", "ok", 4) };

        var (results, _) = Run(executor, tasks, failFast: true);

        Assert.Equal(["first", "breaks"], executor.Started);
        var later = results.Where(r => r.Id.StartsWith("later", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, later.Count);
        Assert.All(later, r => Assert.Equal(ParallelTaskStatus.Skipped, r.Status));
        Assert.All(later, r => Assert.Contains("-FailFast", r.Error));
    }

    [Fact]
    public void Without_FailFast_the_rest_still_runs()
    {
        var executor = new ScriptedExecutor();
        var (results, _) = Run(executor, [Make("breaks", "fail", 1), Make("later", "ok", 2)]);

        Assert.Equal(ParallelTaskStatus.Succeeded, results.Single(r => r.Id == "later").Status);
    }

    [Fact]
    public async Task Retries_wait_with_exponential_backoff_on_the_injected_clock()
    {
        var time = new SignallingTimeProvider();
        var executor = new ScriptedExecutor();
        var runner = new ParallelBatchRunner([Make("flaky", "flaky:2")], new ParallelBatchOptions
        {
            ThrottleLimit = 1,
            CommandExecutor = executor,
            RetryCount = 3,
            RetryDelay = TimeSpan.FromSeconds(10),
            TimeProvider = time,
        });
        var results = new List<ParallelTaskResult>();
        var run = Task.Run(() => runner.Run(results.Add));

        WaitForStarts(executor, 1);
        Assert.True(time.TimerCreated.Wait(Patience), "no retry timer was set");
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(executor.StartedSignal.Wait(TimeSpan.FromMilliseconds(200)), "retried before the delay");
        time.Advance(TimeSpan.FromSeconds(0.1));
        WaitForStarts(executor, 1);

        // The second retry waits twice as long.
        Assert.True(time.TimerCreated.Wait(Patience), "no second retry timer was set");
        time.Advance(TimeSpan.FromSeconds(19.9));
        Assert.False(executor.StartedSignal.Wait(TimeSpan.FromMilliseconds(200)), "retried before the doubled delay");
        time.Advance(TimeSpan.FromSeconds(0.1));
        var summary = await run.WaitAsync(Patience);

        var result = Assert.Single(results);
        Assert.Equal(ParallelTaskStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(2, summary.Retries);
    }

    [Fact]
    public void A_task_that_keeps_failing_reports_its_last_attempt()
    {
        var executor = new ScriptedExecutor();
        var (results, _) = Run(executor, [Make("bad", "fail"), Make("after", "ok", 5, "bad")], retries: 2);

        Assert.Equal(3, executor.AttemptsOf("bad"));
        var bad = results.Single(r => r.Id == "bad");
        Assert.Equal((ParallelTaskStatus.Failed, 3), (bad.Status, bad.Attempts));
        Assert.Equal(ParallelTaskStatus.Skipped, results.Single(r => r.Id == "after").Status);
    }

    [Fact]
    public async Task Cancelling_stops_running_tasks_and_reports_the_rest_cancelled()
    {
        var executor = new ScriptedExecutor();
        using var cancellation = new CancellationTokenSource();
        var tasks = new[] { Make("a", "hold:never"), Make("b", "hold:never"), Make("c", "ok"), Make("d", "ok", 5, "c") };
        var run = Task.Run(() => Run(executor, tasks, throttle: 2, cancellation: cancellation.Token));
        WaitForStarts(executor, 2);

        cancellation.Cancel();
        var (results, summary) = await run.WaitAsync(Patience);

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.Equal(ParallelTaskStatus.Cancelled, r.Status));
        Assert.Equal(4, summary.Cancelled);
    }

    [Fact]
    public void A_result_callback_that_throws_cancels_the_batch_and_the_exception_surfaces()
    {
        var executor = new ScriptedExecutor();
        var runner = new ParallelBatchRunner([Make("a", "ok", 1), Make("b", "hold:never", 2)],
            new ParallelBatchOptions { ThrottleLimit = 2, CommandExecutor = executor });

        var thrown = Assert.Throws<InvalidOperationException>(() => runner.Run(_ => throw new InvalidOperationException("pipeline stopped")));

        Assert.Equal("pipeline stopped", thrown.Message);
    }

    [Fact]
    public void Script_tasks_without_a_script_host_fail_with_a_clear_message()
    {
        var (results, _) = Run(new ScriptedExecutor(), [new ParallelTask { Id = "s", ScriptBlock = "{ 1 }" }]);

        var result = Assert.Single(results);
        Assert.Equal(ParallelTaskStatus.Failed, result.Status);
        Assert.Contains("Invoke-ParallelBatch", result.Error);
    }

    [Fact]
    public void The_summary_counts_and_measures()
    {
        var executor = new ScriptedExecutor();
        var tasks = Enumerable.Range(1, 200).Select(i => Make($"t{i}", "ok", 1 + i % 10)).ToList();

        var (results, summary) = Run(executor, tasks, throttle: 4);

        Assert.Equal(200, results.Count);
        Assert.Equal((200, 200, 4), (summary.Total, summary.Succeeded, summary.ThrottleLimit));
        Assert.True(summary.TasksPerSecond > 0);
        Assert.InRange(summary.PickupLatencyP50, TimeSpan.Zero, summary.PickupLatencyP99);
        Assert.InRange(summary.CpuUtilization, 0, 100);
    }

    private static void WaitForStarts(ScriptedExecutor executor, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(executor.StartedSignal.Wait(Patience), "a task did not start");
        }
    }

    /// <summary>A fake clock that says when a timer is set, so the test advances it only then.</summary>
    private sealed class SignallingTimeProvider : FakeTimeProvider
    {
        public SemaphoreSlim TimerCreated { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.Release();
            return timer;
        }
    }
}
