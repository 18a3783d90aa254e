using System.Threading.Channels;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The one way samples reach metrics.db. Any number of threads call <see cref="Record(string, double, MetricType, IReadOnlyDictionary{string, string}?, DateTimeOffset?)"/>;
/// the samples queue in a channel and one writer thread commits them many to a transaction,
/// maintaining the rollups as it goes and enforcing retention in small steps between batches.
/// SQLite never sees two writers of this process, so there are no lock errors.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    private readonly Channel<WriteItem> channel;
    private readonly SeriesRegistry registry;
    private readonly TimeProvider time;
    private readonly Thread thread;
    private readonly MetricWriterLoop loop;
    private long recorded;

    internal MetricsWriter(string databasePath, MetricStoreOptions options, TimeProvider time,
        IEnumerable<(string, string, MetricType)> existingSeries)
    {
        this.time = time;
        channel = Channel.CreateBounded<WriteItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        registry = new SeriesRegistry(this, options, existingSeries);
        loop = new MetricWriterLoop(databasePath, options, time, channel);
        thread = new Thread(loop.Run) { IsBackground = true, Name = "metrics writer" };
        thread.Start();
    }

    /// <summary>Samples accepted so far.</summary>
    public long Recorded => Interlocked.Read(ref recorded);

    /// <summary>Samples committed to the database so far.</summary>
    public long Committed => loop.Committed;

    /// <summary>Samples dropped because their series already had a sample at the same millisecond.</summary>
    public long Duplicates => loop.Duplicates;

    /// <summary>The last failure of the writer thread (a full disk, a locked file), or null.</summary>
    public Exception? LastError => loop.LastError;

    /// <summary>The series handle for a name, tags and type: validated once, then cheap to record through.</summary>
    public MetricSeries Series(string name, MetricType type = MetricType.Gauge, IReadOnlyDictionary<string, string>? tags = null) =>
        registry.Get(name, MetricTags.Format(name, tags), type);

    internal MetricSeries Series(string name, MetricType type, string canonicalTags) => registry.Get(name, canonicalTags, type);

    /// <summary>
    /// Queues one sample. Throws at once (MetricNameInvalid, MetricValueInvalid, MetricTagInvalid,
    /// MetricTypeMismatch, MetricCardinalityExceeded) for a sample that could never be stored.
    /// Without a timestamp the sample is taken now.
    /// </summary>
    /// <returns>The sample's timestamp.</returns>
    public DateTimeOffset Record(string name, double value, MetricType type = MetricType.Gauge,
        IReadOnlyDictionary<string, string>? tags = null, DateTimeOffset? timestamp = null) =>
        Record(Series(name, type, tags), value, timestamp);

    /// <summary>Queues one sample of a known series; returns its timestamp.</summary>
    public DateTimeOffset Record(MetricSeries series, double value, DateTimeOffset? timestamp = null)
    {
        var item = Prepare(series, value, timestamp);
        Enqueue(item, CancellationToken.None);
        Interlocked.Increment(ref recorded);
        return timestamp ?? DateTimeOffset.FromUnixTimeMilliseconds(item.Timestamp);
    }

    /// <summary>
    /// Queues samples that must be committed together or not at all (one transaction). With a
    /// <paramref name="ingestionKey"/>, a batch already committed under the same key is skipped,
    /// which makes re-ingesting the same file after a crash harmless. Completes when committed;
    /// the result is false when the key had been ingested before.
    /// </summary>
    public Task<bool> WriteBatchAsync(IReadOnlyList<(MetricSeries Series, double Value, DateTimeOffset? Timestamp)> samples,
        string? ingestionKey = null, CancellationToken cancellationToken = default)
    {
        var prepared = samples.Select(s => Prepare(s.Series, s.Value, s.Timestamp)).ToArray();
        var batch = new BatchRequest(prepared, ingestionKey);
        Enqueue(new WriteItem { Control = batch }, cancellationToken);
        Interlocked.Add(ref recorded, prepared.Length);
        return batch.Completion.Task;
    }

    /// <summary>Completes when every sample queued before the call is committed (or fails with the writer's error).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = new FlushRequest();
        Enqueue(new WriteItem { Control = flush }, cancellationToken);
        return flush.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Blocks until every sample queued so far is committed.</summary>
    public void Flush(CancellationToken cancellationToken = default) => FlushAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>Deletes everything past its retention now, in small steps between write batches; completes when done.</summary>
    public Task<long> EnforceRetentionAsync(CancellationToken cancellationToken = default)
    {
        var request = new MaintenanceRequest(MaintenanceKind.Retention);
        Enqueue(new WriteItem { Control = request }, cancellationToken);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Compacts now what the writer otherwise compacts on its own every few minutes: raw samples
    /// older than <see cref="MetricStoreOptions.HeadWindow"/> behind the store's clock move into
    /// compressed chunks, in small steps between write batches. Queries answer the same before,
    /// during and after. Completes with the number of samples moved.
    /// </summary>
    public Task<long> CompactAsync(CancellationToken cancellationToken = default)
    {
        var request = new MaintenanceRequest(MaintenanceKind.Compaction);
        Enqueue(new WriteItem { Control = request }, cancellationToken);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Commits what is queued, then stops the writer thread.</summary>
    public void Dispose()
    {
        if (channel.Writer.TryComplete())
        {
            thread.Join();
        }
    }

    private WriteItem Prepare(MetricSeries series, double value, DateTimeOffset? timestamp)
    {
        if (!double.IsFinite(value))
        {
            throw new MetricException(ErrorIds.MetricValueInvalid, ErrorKind.InvalidArgument,
                $"Metric '{series.Name}' got {value}; a value must be a finite number.");
        }
        if (series.Type == MetricType.Counter && value < 0)
        {
            throw new MetricException(ErrorIds.MetricValueInvalid, ErrorKind.InvalidArgument,
                $"Counter '{series.Name}' got {value}; a counter counts up from 0. Record a level that can fall as a Gauge.");
        }
        var ts = timestamp?.ToUnixTimeMilliseconds() ?? series.NextImplicitTimestamp(time.GetUtcNow().ToUnixTimeMilliseconds());
        return new WriteItem { Series = series, Timestamp = ts, Value = value };
    }

    private void Enqueue(WriteItem item, CancellationToken cancellationToken)
    {
        if (!channel.Writer.TryWrite(item))
        {
            // The queue is full (the producer is slowed down rather than losing the sample) or closed.
            try
            {
                channel.Writer.WriteAsync(item, cancellationToken).AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException)
            {
                if (LastError is { } failure)
                {
                    throw new MetricException(ErrorIds.MetricStoreUnavailable, ErrorKind.ResourceUnavailable,
                        $"The metric writer stopped after an error: {failure.Message} Open the store again.", failure);
                }
                throw new ObjectDisposedException(nameof(MetricsWriter), "The metric store is closed.");
            }
        }
    }
}

/// <summary>A sample, or a control request, in the writer's queue.</summary>
internal struct WriteItem
{
    public MetricSeries? Series;
    public long Timestamp;
    public double Value;
    public ControlRequest? Control;
}

internal abstract class ControlRequest;

internal sealed class FlushRequest : ControlRequest
{
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal enum MaintenanceKind
{
    Retention,
    Compaction,
}

internal sealed class MaintenanceRequest(MaintenanceKind kind) : ControlRequest
{
    public MaintenanceKind Kind { get; } = kind;

    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed class BatchRequest(WriteItem[] samples, string? ingestionKey) : ControlRequest
{
    public WriteItem[] Samples { get; } = samples;
    public string? IngestionKey { get; } = ingestionKey;

    /// <summary>Set by the writer thread: false when the ingestion key had been committed before.</summary>
    public bool Added { get; set; }
    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
