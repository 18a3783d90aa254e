using Microsoft.Data.Sqlite;
using WorkflowAutomation.Dashboard.Queries;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.State;

/// <summary>
/// A history of a million runs reads as fast as one of a thousand: totals come from counts kept
/// as runs are written, and a page newest first is read from an index that holds it in order.
/// Query plans are checked because a plan that reads every run is correct, just slow.
/// </summary>
public sealed class RunHistoryScaleTests
{
    private static readonly WorkflowDefinition Definition = new() { Name = "nightly", Steps = [new WorkflowStep { Name = "only", Command = "true" }] };

    private static void Record(SqliteRunStore store, string id, string name, params RunStatus[] statuses)
    {
        var run = new WorkflowRun { Id = id, Name = name, Status = statuses[0], StartTime = DateTimeOffset.UtcNow };
        store.CreateRun(run, Definition, RunOwner.Current);
        foreach (var status in statuses.Skip(1))
        {
            run.Status = status;
            store.UpdateRun(run);
        }
    }

    [Fact]
    public void Totals_per_workflow_and_status_follow_runs_as_they_are_created_and_change_status()
    {
        using var temp = new TempFolder();
        using (var store = SqliteRunStore.Open(temp.State))
        {
            Record(store, "n1", "nightly", RunStatus.Queued, RunStatus.Running, RunStatus.Succeeded);
            Record(store, "n2", "nightly", RunStatus.Queued, RunStatus.Running, RunStatus.Failed);
            Record(store, "n3", "nightly", RunStatus.Running, RunStatus.Running, RunStatus.Succeeded);
            Record(store, "d1", "deploy", RunStatus.Queued, RunStatus.Running);
            Record(store, "d2", "deploy", RunStatus.Queued);
            store.Flush();
        }
        var queries = new RunQueries(temp.State);

        Assert.Equal([("deploy", 2L), ("nightly", 3L)], queries.Workflows());
        Assert.Equal(5, queries.List(new RunListFilter()).Total);
        Assert.Equal(2, queries.List(new RunListFilter { Statuses = [RunStatus.Succeeded] }).Total);
        Assert.Equal(2, queries.List(new RunListFilter { Statuses = [RunStatus.Failed, RunStatus.Queued] }).Total);
        Assert.Equal(1, queries.List(new RunListFilter { Statuses = [RunStatus.Running], Workflow = "deploy" }).Total);
        Assert.Equal(0, queries.List(new RunListFilter { Statuses = [RunStatus.Running], Workflow = "nightly" }).Total);
        // A time range or a search still counts the runs themselves.
        Assert.Equal(5, queries.List(new RunListFilter { Since = DateTimeOffset.UtcNow.AddHours(-1) }).Total);
        Assert.Equal(3, queries.List(new RunListFilter { Search = "n" }).Total);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(RunStatus.Failed, null)]
    [InlineData(null, "nightly")]
    [InlineData(RunStatus.Failed, "nightly")]
    public void The_dashboards_total_reads_the_kept_counts_and_never_the_runs(RunStatus? status, string? workflow)
    {
        using var temp = new TempFolder();
        SqliteRunStore.Open(temp.State).Dispose();
        var (sql, parameters) = RunQueries.CountQuery(Filter(status, workflow));

        var plan = Plan(temp.State.RunsDatabase, sql, parameters);

        Assert.All(plan, line => Assert.Contains("run_counts", line));
    }

    [Theory]
    [InlineData(RunStatus.Failed, null, "runs_by_status_created")]
    [InlineData(null, "nightly", "runs_by_name_created")]
    public void A_filtered_page_newest_first_is_read_in_order_from_an_index(RunStatus? status, string? workflow, string index)
    {
        using var temp = new TempFolder();
        SqliteRunStore.Open(temp.State).Dispose();
        var (sql, parameters) = RunQueries.PageQuery(Filter(status, workflow), 51);

        var plan = Plan(temp.State.RunsDatabase, sql, parameters);

        Assert.Contains(plan, line => line.Contains($"USING INDEX {index}", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_WorkflowRun_with_a_status_reads_the_newest_runs_of_that_status_from_an_index()
    {
        using var temp = new TempFolder();
        SqliteRunStore.Open(temp.State).Dispose();
        var (sql, parameters) = SqliteRunStore.FindQuery(new RunQuery { Statuses = [RunStatus.Failed], First = 20 });

        var plan = Plan(temp.State.RunsDatabase, sql, parameters);

        Assert.Contains(plan, line => line.Contains("USING INDEX runs_by_status_created", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    private static RunListFilter Filter(RunStatus? status, string? workflow) =>
        new() { Statuses = status is { } only ? [only] : null, Workflow = workflow };

    private static List<string> Plan(string database, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }
        return plan;
    }
}
