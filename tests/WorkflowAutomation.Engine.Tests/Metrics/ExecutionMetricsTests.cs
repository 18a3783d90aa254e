using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Metrics;

public sealed class ExecutionMetricsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly MetricStore store;

    public ExecutionMetricsTests()
    {
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), time);
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    [Fact]
    public void Runs_steps_and_tasks_flow_through_the_store_writer()
    {
        var metrics = new ExecutionMetrics(store.Writer);
        metrics.RunFinished("deploy", RunStatus.Succeeded, TimeSpan.FromSeconds(12));
        metrics.RunFinished("deploy", RunStatus.Succeeded, TimeSpan.FromSeconds(8));
        metrics.RunFinished("deploy", RunStatus.Failed, TimeSpan.FromSeconds(3));
        metrics.StepFinished("deploy", "build", StepStatus.Succeeded, TimeSpan.FromMilliseconds(1500));
        metrics.TasksFinished(StepStatus.Failed, 3, TimeSpan.FromSeconds(6));
        metrics.TasksFinished(StepStatus.Failed, 1, TimeSpan.FromSeconds(2));
        metrics.QueueDepthChanged(7);
        store.Writer.Flush();

        var runs = store.Reader.Latest(ExecutionMetrics.Runs);
        Assert.Equal(2, runs.Single(r => r.Tags == "status=Succeeded,workflow=deploy").Value);
        Assert.Equal(1, runs.Single(r => r.Tags == "status=Failed,workflow=deploy").Value);
        Assert.All(runs, r => Assert.Equal("Counter", r.Type));
        Assert.Equal(1.5, store.Reader.Latest(ExecutionMetrics.StepDuration).Single().Value);
        Assert.Equal("step=build,workflow=deploy", store.Reader.Latest(ExecutionMetrics.StepDuration).Single().Tags);
        Assert.Equal(7, store.Reader.Latest(ExecutionMetrics.QueueDepth).Single().Value);
        Assert.Equal(4, store.Reader.Latest(ExecutionMetrics.TasksCompleted).Single().Value);
        Assert.Equal(2, store.Reader.Latest(ExecutionMetrics.TaskDuration).Single().Value);
        Assert.Equal(3, store.Query(new MetricQuery { Name = ExecutionMetrics.RunDuration, Start = Now, End = Now.AddSeconds(1) }).Count);
    }
}
