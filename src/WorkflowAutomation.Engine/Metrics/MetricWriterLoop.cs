using System.Threading.Channels;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The body of the writer thread: drain the queue into batches of up to MaxBatchSize samples
/// per transaction, answer flushes after the commit that covers them, and run retention in
/// small steps between batches (on a timer, or when asked).
/// </summary>
internal sealed class MetricWriterLoop(string databasePath, MetricStoreOptions options, TimeProvider time, Channel<WriteItem> channel)
{
    private readonly ChannelReader<WriteItem> reader = channel.Reader;
    private readonly RetentionEnforcer retention = new(options);
    private readonly List<ControlRequest> answered = [];
    private readonly List<RetentionRequest> retentionWaiters = [];
    private long committed;
    private long duplicates;
    private long retentionDeleted;
    private bool retentionPending;
    private DateTimeOffset nextRetention;
    private Exception? failureSinceFlush;

    public long Committed => Interlocked.Read(ref committed);

    public long Duplicates => Interlocked.Read(ref duplicates);

    public Exception? LastError { get; private set; }

    public void Run()
    {
        try
        {
            RunUntilClosed();
        }
        catch (Exception exception)
        {
            // Never take the host process down: remember the failure, refuse further samples
            // (producers get the reason instead of waiting forever) and fail whoever waits.
            LastError = exception;
            channel.Writer.TryComplete(exception);
            while (reader.TryRead(out var item))
            {
                switch (item.Control)
                {
                    case FlushRequest flush: flush.Completion.TrySetException(exception); break;
                    case BatchRequest batch: batch.Completion.TrySetException(exception); break;
                    case RetentionRequest request: request.Completion.TrySetException(exception); break;
                }
            }
        }
    }

    private void RunUntilClosed()
    {
        using var connection = MetricSchema.Open(databasePath);
        using var committer = new MetricBatchCommitter(connection);
        nextRetention = time.GetUtcNow() + options.RetentionInterval;
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                if (retentionPending)
                {
                    RetentionStep(connection);
                    continue;
                }
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    break;
                }
            }
            WriteBatch(committer);
            if (time.GetUtcNow() >= nextRetention)
            {
                retentionPending = true;
                nextRetention = time.GetUtcNow() + options.RetentionInterval;
            }
            if (retentionPending)
            {
                RetentionStep(connection);
            }
        }
        while (retentionWaiters.Count > 0 && retentionPending)
        {
            RetentionStep(connection);
        }
    }

    private void WriteBatch(MetricBatchCommitter committer)
    {
        var count = 0;
        Exception? failure = null;
        answered.Clear();
        try
        {
            committer.Begin();
            while (count < options.MaxBatchSize && reader.TryRead(out var item))
            {
                switch (item.Control)
                {
                    case null:
                        committer.Add(item);
                        count++;
                        break;
                    case BatchRequest batch:
                        batch.Added = committer.AddBatch(batch, time.GetUtcNow().ToUnixTimeMilliseconds());
                        answered.Add(batch);
                        count += batch.Samples.Length;
                        break;
                    case RetentionRequest request:
                        retentionPending = true;
                        retentionWaiters.Add(request);
                        break;
                    default:
                        answered.Add(item.Control);
                        break;
                }
            }
            committer.Commit();
            Interlocked.Add(ref committed, committer.Inserted);
            Interlocked.Add(ref duplicates, committer.Duplicates);
        }
        catch (Exception exception)
        {
            committer.Rollback();
            LastError = exception;
            failureSinceFlush = exception;
            failure = exception;
        }
        Answer(failure);
    }

    private void Answer(Exception? batchFailure)
    {
        foreach (var request in answered)
        {
            if (request is BatchRequest batch)
            {
                // Answered only now: a caller may delete its source file once this completes.
                if (batchFailure is not null)
                {
                    batch.Completion.TrySetException(batchFailure);
                }
                else
                {
                    batch.Completion.TrySetResult(batch.Added);
                }
            }
            else if (request is FlushRequest flush)
            {
                if (failureSinceFlush is { } earlier)
                {
                    flush.Completion.TrySetException(earlier);
                }
                else
                {
                    flush.Completion.TrySetResult();
                }
                failureSinceFlush = null;
            }
        }
    }

    private void RetentionStep(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        try
        {
            var (deleted, finished) = retention.Step(connection, time.GetUtcNow().ToUnixTimeMilliseconds());
            retentionDeleted += deleted;
            if (!finished)
            {
                return;
            }
        }
        catch (Exception exception)
        {
            LastError = exception;
            foreach (var waiter in retentionWaiters)
            {
                waiter.Completion.TrySetException(exception);
            }
            retentionWaiters.Clear();
            retentionPending = false;
            return;
        }
        retentionPending = false;
        foreach (var waiter in retentionWaiters)
        {
            waiter.Completion.TrySetResult(retentionDeleted);
        }
        retentionWaiters.Clear();
        retentionDeleted = 0;
    }
}
