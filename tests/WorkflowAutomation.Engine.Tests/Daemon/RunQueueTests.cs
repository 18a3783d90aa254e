using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class RunQueueTests
{
    [Fact]
    public void Runs_start_in_submission_order_and_running_ones_survive_a_restart_at_the_head()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider();
        using (var database = DaemonDatabase.Open(temp.State))
        {
            var queue = new RunQueue(database, time);
            foreach (var id in new[] { "a", "b", "c" })
            {
                queue.Enqueue(id, "wf", null, "name: wf", new Dictionary<string, string> { ["x"] = id }, "submit");
            }
            Assert.Equal(3, queue.Count(QueueState.Queued));
            var first = queue.TryStartNext()!;
            Assert.Equal("a", first.RunId);
            Assert.Equal(QueueState.Running, first.State);
            Assert.Equal(1, first.Starts);
            Assert.Equal("a", first.Parameters["x"]);
            Assert.Equal("b", queue.TryStartNext()!.RunId);
            queue.Finish("b", "Succeeded");
        }
        // A crash here: "a" was running, "c" queued. Nothing is lost; "a" goes first again.
        using (var database = DaemonDatabase.Open(temp.State))
        {
            var queue = new RunQueue(database, time);
            Assert.Equal(["a"], queue.RequeueInterrupted());
            var resumed = queue.TryStartNext()!;
            Assert.Equal("a", resumed.RunId);
            Assert.Equal(2, resumed.Starts);
            Assert.Equal("c", queue.TryStartNext()!.RunId);
            Assert.Null(queue.TryStartNext());
            Assert.Equal("Succeeded", queue.Find("b")!.Outcome);
        }
    }

    [Fact]
    public void Only_a_queued_run_can_be_cancelled_before_it_starts()
    {
        using var temp = new TempFolder();
        using var database = DaemonDatabase.Open(temp.State);
        var queue = new RunQueue(database, new FakeTimeProvider());
        queue.Enqueue("a", "wf", null, "name: wf", new Dictionary<string, string>(), "submit");
        queue.Enqueue("b", "wf", null, "name: wf", new Dictionary<string, string>(), "submit");
        queue.TryStartNext();
        Assert.False(queue.CancelQueued("a"));
        Assert.True(queue.CancelQueued("b"));
        Assert.Equal("Cancelled", queue.Find("b")!.Outcome);
        Assert.Null(queue.TryStartNext());
    }
}
