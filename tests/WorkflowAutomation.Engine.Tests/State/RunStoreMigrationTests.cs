using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Engine.Tests.State;

public sealed class RunStoreMigrationTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wa-migration-");

    public void Dispose() => folder.Delete(recursive: true);

    private static List<(string, string, long)> Counts(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, status, runs FROM run_counts ORDER BY name, status";
        using var reader = command.ExecuteReader();
        var counts = new List<(string, string, long)>();
        while (reader.Read())
        {
            counts.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return counts;
    }

    [Fact]
    public void A_runs_db_written_by_release_0_1_keeps_its_runs_and_times()
    {
        var database = Path.Combine(folder.FullName, "runs.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "State", "Fixtures", "runs-v0.sql"));
            command.ExecuteNonQuery();
        }

        using (var store = new SqliteRunStore(database))
        {
            var run = Assert.Single(store.FindRuns(new RunQuery()));
            Assert.Equal("20261201-015539-a0ac9e", run.Id);
            Assert.Equal(RunStatus.Failed, run.Status);
            // 639316869396613200 ticks, to the millisecond.
            Assert.Equal(new DateTimeOffset(639316869396610000, TimeSpan.Zero), run.StartTime);
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 1, 55, 40, 396, TimeSpan.Zero), run.EndTime);
            var flaky = run.Steps.Single(step => step.Name == "flaky");
            Assert.Equal(2, flaky.AttemptHistory.Count);
            Assert.All(flaky.AttemptHistory, attempt => Assert.Equal(2026, attempt.StartTime.Year));
            Assert.Equal("undo build", Assert.Single(store.GetLog(run.Id, "rollback:build")).Text);
            Assert.All(store.GetLog(run.Id), line => Assert.Equal(new DateOnly(2026, 12, 1), DateOnly.FromDateTime(line.Timestamp.UtcDateTime)));

            // New runs are written in the same encoding and list after the old one, newest first.
            var next = new WorkflowRun { Id = "r-next", Name = "legacy", Status = RunStatus.Succeeded, StartTime = DateTimeOffset.UtcNow };
            store.CreateRun(next, new WorkflowDefinition { Name = "legacy", Steps = [] }, RunOwner.Current);
            Assert.Equal(["r-next", run.Id], store.FindRuns(new RunQuery()).Select(r => r.Id));
        }

        // The runs it had are counted, and the run written since is counted with them.
        Assert.Equal([("legacy", "Failed", 1L), ("legacy", "Succeeded", 1L)], Counts(database));

        // Opening it again migrates nothing twice.
        using (var store = new SqliteRunStore(database))
        {
            Assert.Equal(new DateTimeOffset(639316869396610000, TimeSpan.Zero), store.GetRun("20261201-015539-a0ac9e")!.StartTime);
        }
    }
}
