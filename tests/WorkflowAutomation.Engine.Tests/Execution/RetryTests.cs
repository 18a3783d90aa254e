using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

public sealed class RetryTests
{
    [Theory]
    [InlineData(RetryBackoff.Constant, new[] { 10, 10, 10 })]
    [InlineData(RetryBackoff.Linear, new[] { 10, 20, 30 })]
    [InlineData(RetryBackoff.Exponential, new[] { 10, 20, 40 })]
    public async Task Retries_with_the_backoff_asked_for_on_an_injected_clock(RetryBackoff backoff, int[] expectedSeconds)
    {
        var time = new FakeTimeProvider();
        var attempts = new List<RetryAttempt<int>>();
        var options = new RetryOptions { RetryCount = 3, Delay = TimeSpan.FromSeconds(10), Backoff = backoff };
        var run = Retry.ExecuteAsync(options, (number, _) => ValueTask.FromResult(number), result => result < 10, attempts.Add, time, CancellationToken.None);

        while (!run.IsCompleted)
        {
            await Task.Delay(1);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        var last = await run;

        Assert.Equal(4, last);
        Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.Number));
        Assert.Equal(expectedSeconds, attempts.Take(3).Select(a => (int)a.NextDelay!.Value.TotalSeconds));
        Assert.Null(attempts[^1].NextDelay);
    }

    [Fact]
    public async Task Stops_at_the_first_success()
    {
        var time = new FakeTimeProvider();
        var attempts = new List<RetryAttempt<bool>>();
        var run = Retry.ExecuteAsync(new RetryOptions { RetryCount = 5, Delay = TimeSpan.FromSeconds(1) },
            (number, _) => ValueTask.FromResult(number >= 2), ok => !ok, attempts.Add, time, CancellationToken.None);
        while (!run.IsCompleted)
        {
            await Task.Delay(1);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(await run);
        Assert.Equal(2, attempts.Count);
    }

    [Fact]
    public async Task Jitter_varies_the_delay_around_the_base()
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var run = Retry.ExecuteAsync(new RetryOptions { RetryCount = 6, Delay = TimeSpan.FromSeconds(10), Backoff = RetryBackoff.Constant, Jitter = true },
            (_, _) => ValueTask.FromResult(false), ok => !ok, a => { if (a.NextDelay is { } d) delays.Add(d); }, time, CancellationToken.None);
        while (!run.IsCompleted)
        {
            await Task.Delay(1);
            time.Advance(TimeSpan.FromSeconds(5));
        }
        await run;

        Assert.Equal(6, delays.Count);
        Assert.True(delays.Distinct().Count() > 1, "jittered delays should differ");
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 5, 15));
    }

    [Fact]
    public async Task Without_retries_runs_once_and_reports_the_attempt()
    {
        var attempts = new List<RetryAttempt<int>>();
        var result = await Retry.ExecuteAsync(new RetryOptions(), (n, _) => ValueTask.FromResult(-n), _ => true, attempts.Add, null, CancellationToken.None);

        Assert.Equal(-1, result);
        Assert.Single(attempts);
    }
}
