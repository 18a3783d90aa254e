using System.Diagnostics;
using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.State;

public sealed class SqliteRunStoreTests
{
    private static WorkflowDefinition Definition(string name) => new()
    {
        Name = name,
        Steps = [new WorkflowStep { Name = "only", Command = "true", Shell = StepShell.Sh, Timeout = TimeSpan.FromSeconds(5) }],
    };

    private static WorkflowRun NewRun(string id, string name, RunStatus status) => new()
    {
        Id = id,
        Name = name,
        Status = status,
        StartTime = DateTimeOffset.UtcNow,
        Steps = { new WorkflowStepRun { RunId = id, Name = "only", Status = status == RunStatus.Running ? StepStatus.Running : StepStatus.Succeeded } },
    };

    [Fact]
    public void A_run_whose_owning_process_is_gone_is_marked_interrupted_and_a_live_one_is_not()
    {
        using var folder = new TempFolder();
        using var store = SqliteRunStore.Open(folder.State);
        using var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        finished.WaitForExit();
        var dead = new RunOwner(finished.Id, DateTime.UtcNow.Ticks, Environment.MachineName);

        var orphan = NewRun("r-orphan", "wf", RunStatus.Running);
        store.CreateRun(orphan, Definition("wf"), dead);
        store.SaveStep(orphan.Steps[0]);
        var alive = NewRun("r-alive", "wf", RunStatus.Running);
        store.CreateRun(alive, Definition("wf"), RunOwner.Current);

        // A read shows it Interrupted and writes nothing.
        var shown = store.GetRun("r-orphan")!;
        Assert.Equal(RunStatus.Interrupted, shown.Status);
        Assert.Equal(StepStatus.Interrupted, shown.Steps.Single().Status);
        Assert.Equal("r-orphan", Assert.Single(store.FindRuns(new RunQuery { Statuses = [RunStatus.Interrupted] })).Id);
        Assert.Equal(1L, Scalar(store.DatabasePath, "SELECT count(*) FROM runs WHERE status='Running' AND id='r-orphan'"));

        Assert.Equal(["r-orphan"], store.MarkAbandonedRunsInterrupted());
        Assert.Equal(0L, Scalar(store.DatabasePath, "SELECT count(*) FROM runs WHERE status='Running' AND id='r-orphan'"));

        var marked = store.GetRun("r-orphan")!;
        Assert.Equal(RunStatus.Interrupted, marked.Status);
        Assert.Contains("ended before the run finished", marked.Error);
        Assert.Equal(StepStatus.Interrupted, marked.Steps.Single().Status);
        Assert.Equal(RunStatus.Running, store.GetRun("r-alive")!.Status);
    }

    [Fact]
    public void Queries_filter_by_name_wildcard_status_and_count_newest_first_and_keep_the_definition()
    {
        using var folder = new TempFolder();
        using (var store = SqliteRunStore.Open(folder.State))
        {
            store.CreateRun(NewRun("r1", "deploy_app", RunStatus.Succeeded), Definition("deploy_app"), RunOwner.Current);
            store.CreateRun(NewRun("r2", "deploy_db", RunStatus.Failed), Definition("deploy_db"), RunOwner.Current);
            store.CreateRun(NewRun("r3", "backup", RunStatus.Failed), Definition("backup"), RunOwner.Current);
        }
        // A second instance over the same file sees everything (the daemon and sessions share it).
        using var reopened = SqliteRunStore.Open(folder.State);

        Assert.Equal(["r3", "r2", "r1"], reopened.FindRuns(new RunQuery()).Select(r => r.Id));
        Assert.Equal(["r2", "r1"], reopened.FindRuns(new RunQuery { Names = ["deploy*"] }).Select(r => r.Id));
        Assert.Equal(["r3"], reopened.FindRuns(new RunQuery { Statuses = [RunStatus.Failed], First = 1 }).Select(r => r.Id));
        Assert.Equal(["r3", "r1"], reopened.FindRuns(new RunQuery { Ids = ["R1", "r3"] }).Select(r => r.Id));
        Assert.Equal(["r2"], reopened.FindRuns(new RunQuery { Ids = ["r1", "r2"], Statuses = [RunStatus.Failed] }).Select(r => r.Id));
        Assert.Equal(["r3", "r2", "r1"], reopened.FindRuns(new RunQuery { Ids = ["r*"] }).Select(r => r.Id));
        var definition = reopened.GetDefinition("r2")!;
        Assert.Equal("deploy_db", definition.Name);
        Assert.Equal(TimeSpan.FromSeconds(5), definition.Steps[0].Timeout);
        Assert.Equal(StepShell.Sh, definition.Steps[0].Shell);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.State.RunsDatabase));
        }
    }

    private static long Scalar(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
