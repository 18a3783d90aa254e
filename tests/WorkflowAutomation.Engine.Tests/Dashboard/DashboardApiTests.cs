using System.Net;
using System.Text;
using System.Text.Json;
using WorkflowAutomation.Dashboard.Queries;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Dashboard;

public sealed class DashboardApiTests
{
    private static readonly WorkflowDefinition TwoSteps = new()
    {
        Name = "pipeline",
        ExecutionMode = ExecutionMode.Parallel,
        Steps =
        [
            new WorkflowStep { Name = "build", Command = "echo build" },
            new WorkflowStep { Name = "deploy", Command = "echo deploy", DependsOn = ["build"], ApprovalRequired = true },
        ],
    };

    private static WorkflowRun Record(SqliteRunStore store, string id, string name, RunStatus status, string? error = null)
    {
        var run = new WorkflowRun { Id = id, Name = name, Status = status, Error = error, StartTime = DateTimeOffset.UtcNow, Origin = "session" };
        run.Steps.Add(new WorkflowStepRun { RunId = id, Name = "build", Status = StepStatus.Succeeded });
        run.Steps.Add(new WorkflowStepRun { RunId = id, Name = "deploy", Status = status == RunStatus.Running ? StepStatus.Running : StepStatus.Succeeded });
        store.CreateRun(run, TwoSteps, RunOwner.Current);
        foreach (var step in run.Steps)
        {
            store.SaveStep(step);
        }
        return run;
    }

    [Fact]
    public void The_history_pages_by_keyset_and_filters_by_status_workflow_and_search()
    {
        using var temp = new TempFolder();
        using (var store = SqliteRunStore.Open(temp.State))
        {
            for (var i = 0; i < 130; i++)
            {
                Record(store, $"run-{i:000}", i % 2 == 0 ? "even" : "odd", i % 10 == 0 ? RunStatus.Failed : RunStatus.Succeeded, i % 10 == 0 ? $"boom {i}" : null);
            }
            store.Flush();
        }
        var queries = new RunQueries(temp.State);
        var first = queries.List(new RunListFilter { Limit = 50 });
        Assert.Equal(130, first.Total);
        Assert.Equal(50, first.Runs.Count);
        Assert.Equal("run-129", first.Runs[0].Id);
        var second = queries.List(new RunListFilter { Limit = 50, After = first.Next });
        Assert.Equal("run-079", second.Runs[0].Id);
        var third = queries.List(new RunListFilter { Limit = 50, After = second.Next });
        Assert.Equal(30, third.Runs.Count);
        Assert.Null(third.Next);
        Assert.Empty(first.Runs.Select(run => run.Id).Intersect(second.Runs.Select(run => run.Id)));

        var failed = queries.List(new RunListFilter { Statuses = [RunStatus.Failed] });
        Assert.Equal(13, failed.Total);
        Assert.All(failed.Runs, run => Assert.Equal(RunStatus.Failed, run.Status));
        Assert.Equal(65, queries.List(new RunListFilter { Workflow = "odd" }).Total);
        var searched = queries.List(new RunListFilter { Search = "boom 12" });
        Assert.Equal(["run-120"], searched.Runs.Select(run => run.Id));
        Assert.Equal(130, queries.List(new RunListFilter { Since = DateTimeOffset.UtcNow.AddMinutes(-5), Until = DateTimeOffset.UtcNow.AddMinutes(1) }).Total);
        Assert.Equal(0, queries.List(new RunListFilter { Since = DateTimeOffset.UtcNow.AddMinutes(1) }).Total);
        Assert.All(first.Runs, run => Assert.InRange(run.Created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
        // LIKE wildcards typed by a user are literal.
        Assert.Equal(0, queries.List(new RunListFilter { Search = "%" }).Total);
    }

    [Fact]
    public async Task A_run_page_carries_the_graph_of_its_definition_and_each_step_state()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using (var store = SqliteRunStore.Open(dashboard.Temp.State))
        {
            Record(store, "run-graph", "pipeline", RunStatus.Running);
            store.Flush();
        }
        using var client = dashboard.Client(dashboard.Token);
        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/runs/run-graph"));
        var run = body.RootElement;
        Assert.Equal("Running", run.GetProperty("status").GetString());
        Assert.Equal(["build", "deploy"], run.GetProperty("graph").GetProperty("nodes").EnumerateArray().Select(node => node.GetProperty("name").GetString()));
        var edge = Assert.Single(run.GetProperty("graph").GetProperty("edges").EnumerateArray());
        Assert.Equal(["build", "deploy"], edge.EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("Running", run.GetProperty("steps")[1].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/runs/no-such-run")).StatusCode);
    }

    [Fact]
    public async Task The_event_stream_tells_an_open_page_about_a_step_change_within_a_second()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var store = SqliteRunStore.Open(dashboard.Temp.State);
        var run = Record(store, "run-live", "pipeline", RunStatus.Running);
        store.Flush();
        using var client = dashboard.Client(dashboard.Token);
        using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        Assert.Equal("retry: 1000", await reader.ReadLineAsync());
        // Let the watcher take its baseline, then change a step.
        await Task.Delay(400);
        var changed = DateTimeOffset.UtcNow;
        run.Steps[1].Status = StepStatus.Succeeded;
        store.SaveStep(run.Steps[1]);
        store.Flush();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        string? data = null;
        while (data is null)
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            if (line == "event: run")
            {
                data = await reader.ReadLineAsync(timeout.Token);
            }
        }
        var latency = DateTimeOffset.UtcNow - changed;
        Assert.True(latency < TimeSpan.FromSeconds(1), $"the change arrived after {latency.TotalMilliseconds:0} ms");
        using var payload = JsonDocument.Parse(data!["data: ".Length..]);
        Assert.Equal("run-live", payload.RootElement.GetProperty("id").GetString());
        Assert.Contains(payload.RootElement.GetProperty("steps").EnumerateArray(),
            step => step.GetProperty("name").GetString() == "deploy" && step.GetProperty("status").GetString() == "Succeeded");
    }

    [Fact]
    public async Task Metrics_serves_the_prometheus_text_format_with_the_bearer_token()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(dashboard.Token);
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE daemon_healthy gauge", text);
        Assert.Contains("daemon_healthy 1", text);
    }

    [Fact]
    public async Task The_chaos_section_lists_nothing_until_chaos_results_are_provided()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(dashboard.Token);
        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/chaos"));
        Assert.Equal(0, body.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal("no chaos results", body.RootElement.GetProperty("message").GetString());
    }
}
