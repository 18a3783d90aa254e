using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>
/// Commits queued statements on one background thread, as many as have queued up (up to 500)
/// in one transaction, so a caller pays microseconds, not a commit, to record something.
/// Statements run under the store's lock, so readers never see half a batch.
/// </summary>
internal sealed class BatchedWriter : IDisposable
{
    private const int MaxBatch = 500;

    private readonly SqliteConnection connection;
    private readonly object gate;
    private readonly string databasePath;
    private readonly BlockingCollection<(string Sql, (string Name, object? Value)[] Parameters)> writes = new();
    private readonly Thread thread;
    private long queued;
    private long committed;
    private Exception? failure;

    public BatchedWriter(SqliteConnection connection, object gate, string databasePath)
    {
        this.connection = connection;
        this.gate = gate;
        this.databasePath = databasePath;
        thread = new Thread(Loop) { IsBackground = true, Name = "WorkflowAutomation run store" };
        thread.Start();
    }

    /// <summary>Queues a statement; its values are taken now, so later changes to the objects do not leak in.</summary>
    public void Enqueue(string sql, params (string Name, object? Value)[] parameters)
    {
        Interlocked.Increment(ref queued);
        writes.Add((sql, parameters));
    }

    /// <summary>Blocks until every statement queued so far is committed.</summary>
    /// <exception cref="IOException">A queued write failed (the database is locked or damaged).</exception>
    public void Flush()
    {
        lock (gate)
        {
            var target = Interlocked.Read(ref queued);
            while (committed < target && thread.IsAlive)
            {
                Monitor.Wait(gate, 100);
            }
            if (failure is { } failed)
            {
                failure = null;
                throw new IOException($"Writing to the run store {databasePath} failed: {failed.Message}", failed);
            }
        }
    }

    private void Loop()
    {
        var batch = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        foreach (var first in writes.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (batch.Count < MaxBatch && writes.TryTake(out var next))
            {
                batch.Add(next);
            }
            lock (gate)
            {
                try
                {
                    using var transaction = connection.BeginTransaction();
                    foreach (var (sql, parameters) in batch)
                    {
                        connection.Execute(sql, transaction, parameters);
                    }
                    transaction.Commit();
                }
                catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
                {
                    failure = exception;
                }
                committed += batch.Count;
                Monitor.PulseAll(gate);
            }
            batch.Clear();
        }
    }

    /// <summary>Commits what is queued and stops the thread; the connection stays open for its owner.</summary>
    public void Dispose()
    {
        if (writes.IsAddingCompleted)
        {
            return;
        }
        writes.CompleteAdding();
        thread.Join();
        writes.Dispose();
    }
}
