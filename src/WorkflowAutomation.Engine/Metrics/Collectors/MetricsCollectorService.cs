using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics.Collectors;

/// <summary>
/// Runs the system collector (and, when given, the metrics inbox) every METRICS_INTERVAL on
/// the injected clock. The daemon starts one and stops it on shutdown; a failing tick is
/// remembered in <see cref="LastError"/> and never stops the next one.
/// </summary>
public sealed class MetricsCollectorService : IDisposable
{
    private readonly SystemMetricsCollector collector;
    private readonly MetricsInbox? inbox;
    private readonly TimeProvider time;
    private readonly object gate = new();
    private ITimer? timer;
    private int running;
    private long ticks;

    public MetricsCollectorService(MetricsWriter writer, TimeSpan interval, TimeProvider? time = null,
        ISystemProbe? probe = null, MetricsInbox? inbox = null)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The collection interval must be positive.");
        }
        this.time = time ?? TimeProvider.System;
        collector = new SystemMetricsCollector(writer, this.time, probe);
        this.inbox = inbox;
        Interval = interval;
    }

    /// <summary>A service for a state directory's store: METRICS_INTERVAL from the configuration, inbox included.</summary>
    public static MetricsCollectorService FromConfiguration(MetricStore store, StateDirectory state, WorkflowConfiguration configuration,
        TimeProvider? time = null) =>
        new(store.Writer, configuration.MetricsInterval, time ?? store.Time, inbox: new MetricsInbox(state, store.Writer, time ?? store.Time));

    public TimeSpan Interval { get; }

    /// <summary>Ticks completed so far.</summary>
    public long Ticks => Interlocked.Read(ref ticks);

    /// <summary>The failure of the most recent failing tick, or null.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>When the tick now running started; null between ticks. A tick that never ends stalls all collection.</summary>
    public DateTimeOffset? TickStartedAt { get; private set; }

    /// <summary>The inbox this service ingests, if any.</summary>
    public MetricsInbox? Inbox => inbox;

    /// <summary>What the last inbox pass did (null before the first, or without an inbox).</summary>
    public InboxResult? LastInboxResult { get; private set; }

    public bool IsRunning
    {
        get
        {
            lock (gate)
            {
                return timer is not null;
            }
        }
    }

    /// <summary>Starts ticking every <see cref="Interval"/>, the first tick one interval from now.</summary>
    public void Start()
    {
        lock (gate)
        {
            timer ??= time.CreateTimer(_ => Tick(), null, Interval, Interval);
        }
    }

    /// <summary>Stops ticking; a tick already running finishes.</summary>
    public void Stop()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
        }
    }

    /// <summary>Collects once now (also what the timer calls). Overlapping ticks are skipped.</summary>
    public void Tick()
    {
        if (Interlocked.Exchange(ref running, 1) == 1)
        {
            return;
        }
        TickStartedAt = time.GetUtcNow();
        try
        {
            collector.Collect();
            if (inbox is not null)
            {
                LastInboxResult = inbox.IngestPending();
            }
            Interlocked.Increment(ref ticks);
        }
        catch (Exception exception)
        {
            LastError = exception;
        }
        finally
        {
            TickStartedAt = null;
            Volatile.Write(ref running, 0);
        }
    }

    public void Dispose() => Stop();
}
