using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class RunAdmissionsTests
{
    [Fact]
    public void Run_ids_given_within_one_second_never_repeat()
    {
        // Six random hex digits alone repeat about a dozen times in 20,000 draws.
        var ids = new RunIds(new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:00:00Z")));
        var drawn = Enumerable.Range(0, 20_000).Select(_ => ids.Next()).ToList();
        Assert.Equal(drawn.Count, drawn.Distinct().Count());
        Assert.All(drawn, id => Assert.StartsWith("20260501-100000-", id));
    }
}
