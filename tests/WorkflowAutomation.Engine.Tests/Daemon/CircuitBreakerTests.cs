using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class CircuitBreakerTests
{
    private const string Name = "step:curl https://example.invalid";

    [Fact]
    public void Opens_at_the_threshold_fails_fast_half_opens_after_the_break_and_closes_on_success()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T12:00:00Z"));
        using var database = DaemonDatabase.Open(temp.State);
        var breakers = new CircuitBreakerRegistry(database, threshold: 3, TimeSpan.FromMinutes(1), time);

        for (var failure = 1; failure <= 2; failure++)
        {
            Assert.True(breakers.TryAcquire(Name).Allowed);
            Assert.Equal(CircuitState.Closed, breakers.RecordFailure(Name, CircuitBreakerKind.Step, "exit 7"));
        }
        Assert.True(breakers.TryAcquire(Name).Allowed);
        Assert.Equal(CircuitState.Open, breakers.RecordFailure(Name, CircuitBreakerKind.Step, "exit 7"));

        var refused = breakers.TryAcquire(Name);
        Assert.False(refused.Allowed);
        Assert.Equal(CircuitState.Open, refused.State);
        Assert.Contains("3 failures in a row", refused.Reason);
        Assert.Contains("Reset-CircuitBreaker", refused.Reason);
        var open = breakers.Find(Name)!;
        Assert.Equal(time.GetUtcNow(), open.OpenedAt);
        Assert.Equal(time.GetUtcNow().AddMinutes(1), open.HalfOpenAt);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(breakers.TryAcquire(Name).Allowed);
        time.Advance(TimeSpan.FromSeconds(1));
        var trial = breakers.TryAcquire(Name);
        Assert.True(trial.Allowed);
        Assert.Equal(CircuitState.HalfOpen, trial.State);
        Assert.Equal(CircuitState.HalfOpen, breakers.Find(Name)!.State);
        // One trial at a time.
        Assert.False(breakers.TryAcquire(Name).Allowed);

        breakers.RecordSuccess(Name);
        var closed = breakers.Find(Name)!;
        Assert.Equal(CircuitState.Closed, closed.State);
        Assert.Equal(0, closed.Failures);
        Assert.True(breakers.TryAcquire(Name).Allowed);
    }

    [Fact]
    public void A_failed_trial_opens_again_and_a_success_resets_the_count()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider();
        using var database = DaemonDatabase.Open(temp.State);
        var breakers = new CircuitBreakerRegistry(database, threshold: 2, TimeSpan.FromSeconds(30), time);
        breakers.RecordFailure(Name, CircuitBreakerKind.Step, "boom");
        breakers.RecordSuccess(Name);
        Assert.Equal(CircuitState.Closed, breakers.RecordFailure(Name, CircuitBreakerKind.Step, "boom"));
        Assert.Equal(CircuitState.Open, breakers.RecordFailure(Name, CircuitBreakerKind.Step, "boom"));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breakers.TryAcquire(Name).Allowed);
        Assert.Equal(CircuitState.Open, breakers.RecordFailure(Name, CircuitBreakerKind.Step, "still broken"));
        var reopened = breakers.Find(Name)!;
        Assert.Equal(time.GetUtcNow(), reopened.OpenedAt);
        Assert.Equal("still broken", reopened.LastError);
        Assert.False(breakers.TryAcquire(Name).Allowed);
    }

    [Fact]
    public void State_survives_a_restart_and_a_reset_closes_by_wildcard()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider();
        using (var database = DaemonDatabase.Open(temp.State))
        {
            var breakers = new CircuitBreakerRegistry(database, 1, TimeSpan.FromHours(1), time);
            breakers.RecordFailure(Name, CircuitBreakerKind.Step, "boom");
            breakers.RecordFailure("workflow:deploy", CircuitBreakerKind.Workflow, "boom");
        }
        using (var database = DaemonDatabase.Open(temp.State))
        {
            var breakers = new CircuitBreakerRegistry(database, 1, TimeSpan.FromHours(1), time);
            Assert.False(breakers.TryAcquire(Name).Allowed);
            Assert.Equal([CircuitBreakerKind.Step, CircuitBreakerKind.Workflow], breakers.List().OrderBy(b => b.Name).Select(b => b.Kind).ToArray());
            var reset = breakers.Reset("step:curl*");
            Assert.Equal([Name], reset.Select(b => b.Name).ToArray());
            Assert.True(breakers.TryAcquire(Name).Allowed);
            Assert.False(breakers.TryAcquire("workflow:deploy").Allowed);
        }
    }
}
