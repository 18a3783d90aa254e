using System.Threading.Channels;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The body of the writer thread: drain the queue into batches of up to MaxBatchSize samples
/// per transaction, answer flushes after the commit that covers them, and run maintenance
/// (retention, then head compaction) in small steps between batches, on a timer or when asked.
/// </summary>
internal sealed class MetricWriterLoop(string databasePath, MetricStoreOptions options, TimeProvider time, Channel<WriteItem> channel)
{
    private readonly ChannelReader<WriteItem> reader = channel.Reader;
    private readonly MaintenanceJob[] maintenance =
    [
        new(MaintenanceKind.Retention, new RetentionEnforcer(options).Step),
        new(MaintenanceKind.Compaction, new HeadCompactor(options).Step),
    ];
    private readonly List<ControlRequest> answered = [];
    private long committed;
    private long duplicates;
    private DateTimeOffset nextMaintenance;
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
                    case MaintenanceRequest request: request.Completion.TrySetException(exception); break;
                }
            }
        }
    }

    private void RunUntilClosed()
    {
        using var connection = MetricSchema.Open(databasePath);
        using var committer = new MetricBatchCommitter(connection);
        nextMaintenance = time.GetUtcNow() + options.RetentionInterval;
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                if (MaintenanceStep(connection))
                {
                    continue;
                }
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    break;
                }
            }
            WriteBatch(committer);
            if (time.GetUtcNow() >= nextMaintenance)
            {
                foreach (var job in maintenance)
                {
                    job.Pending = true;
                }
                nextMaintenance = time.GetUtcNow() + options.RetentionInterval;
            }
            MaintenanceStep(connection);
        }
        // Closing: finish only what someone waits for.
        while (maintenance.Any(job => job.Pending && job.Waiters.Count > 0))
        {
            MaintenanceStep(connection);
        }
    }

    /// <summary>One step of the first pending maintenance job; false when none is pending.</summary>
    private bool MaintenanceStep(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        var job = maintenance.FirstOrDefault(j => j.Pending);
        if (job is null)
        {
            return false;
        }
        job.Step(connection, time.GetUtcNow().ToUnixTimeMilliseconds(), error => LastError = error);
        return true;
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
                    case MaintenanceRequest request:
                        var job = maintenance.First(j => j.Kind == request.Kind);
                        job.Pending = true;
                        job.Waiters.Add(request);
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

    /// <summary>Retention or compaction: stepped until finished, then answers whoever asked for it.</summary>
    private sealed class MaintenanceJob(MaintenanceKind kind, Func<Microsoft.Data.Sqlite.SqliteConnection, long, (long Done, bool Finished)> step)
    {
        private long done;

        public MaintenanceKind Kind => kind;

        public bool Pending { get; set; }

        public List<MaintenanceRequest> Waiters { get; } = [];

        public void Step(Microsoft.Data.Sqlite.SqliteConnection connection, long nowMs, Action<Exception> failed)
        {
            try
            {
                var (count, finished) = step(connection, nowMs);
                done += count;
                if (!finished)
                {
                    return;
                }
            }
            catch (Exception exception)
            {
                failed(exception);
                foreach (var waiter in Waiters)
                {
                    waiter.Completion.TrySetException(exception);
                }
                Waiters.Clear();
                Pending = false;
                done = 0;
                return;
            }
            Pending = false;
            foreach (var waiter in Waiters)
            {
                waiter.Completion.TrySetResult(done);
            }
            Waiters.Clear();
            done = 0;
        }
    }
}
