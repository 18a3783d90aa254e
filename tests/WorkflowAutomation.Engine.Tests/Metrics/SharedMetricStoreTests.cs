using Microsoft.Data.Sqlite;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>The store a process keeps open between commands: one open per state directory, every command's samples committed when it ends.</summary>
public sealed class SharedMetricStoreTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose()
    {
        SharedMetricStore.CloseAll();
        folder.Dispose();
    }

    private static long Count(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Consecutive_commands_share_one_open_store_and_each_one_commits_when_it_ends()
    {
        var configuration = WorkflowConfiguration.Load(folder.State);
        MetricStore first;
        using (var lease = SharedMetricStore.Acquire(folder.State, configuration))
        {
            first = lease.Store;
            lease.Store.Writer.Record("shared.test", 1);
        }
        // Returned, not closed: another connection already sees the sample.
        Assert.Equal(1, Count(first.DatabasePath, "SELECT count(*) FROM samples"));
        Assert.True(File.Exists(first.DatabasePath + "-wal"), "the store was closed instead of kept open");

        using (var lease = SharedMetricStore.Acquire(folder.State, configuration))
        {
            Assert.Same(first, lease.Store);
            lease.Store.Writer.Record("shared.test", 2);
        }
        Assert.Equal(2, Count(first.DatabasePath, "SELECT count(*) FROM samples"));

        // Nobody holds it: closing checkpoints and removes the write-ahead log, as a store's own close does.
        SharedMetricStore.CloseAll();
        Assert.False(File.Exists(first.DatabasePath + "-wal"));
        Assert.Equal(2, Count(first.DatabasePath, "SELECT count(*) FROM samples"));
    }

    [Fact]
    public void A_store_in_use_is_not_closed_and_a_removed_database_gets_a_new_store()
    {
        var configuration = WorkflowConfiguration.Load(folder.State);
        var held = SharedMetricStore.Acquire(folder.State, configuration);
        SharedMetricStore.CloseAll();
        held.Store.Writer.Record("shared.test", 1);
        var store = held.Store;
        held.Dispose();
        Assert.Equal(1, Count(store.DatabasePath, "SELECT count(*) FROM samples"));

        // The state directory's database was deleted (a test or a user cleaning up): a fresh one is made.
        foreach (var file in Directory.GetFiles(folder.Path, "metrics.db*"))
        {
            File.Delete(file);
        }
        using var again = SharedMetricStore.Acquire(folder.State, configuration);
        Assert.NotSame(store, again.Store);
        again.Store.Writer.Record("shared.test", 5);
        again.Store.Writer.Flush();
        Assert.Equal(1, Count(again.Store.DatabasePath, "SELECT count(*) FROM samples"));
    }
}
