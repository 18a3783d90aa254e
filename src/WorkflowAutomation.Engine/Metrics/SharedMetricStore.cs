using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// A metric store kept open between the commands of one process that use the same state
/// directory, so that a session running batch after batch opens metrics.db once. Opening it
/// (schema check, series list, writer thread) and closing it (the last connection's WAL
/// checkpoint with its fsyncs and file deletions) cost tens of milliseconds of a short
/// command's time on a busy disk. A command leases the store and returns it; returning it
/// commits what the command recorded, and the store closes once nobody has leased it for
/// <see cref="IdleTime"/>, and when the process exits.
/// </summary>
public static class SharedMetricStore
{
    /// <summary>How long an unused store stays open. <value>2 seconds.</value></summary>
    public static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(2);

    private static readonly object Gate = new();
    private static readonly Dictionary<string, Entry> Open = new(StringComparer.Ordinal);
    private static int exitHooked;

    /// <summary>The open store of the state directory (opened now if needed); dispose the lease to commit and return it.</summary>
    public static Lease Acquire(StateDirectory state, WorkflowConfiguration configuration)
    {
        var options = MetricStoreOptions.FromConfiguration(configuration);
        var path = Path.GetFullPath(state.MetricsDatabase);
        if (Interlocked.Exchange(ref exitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();
        }
        MetricStore? stale = null;
        Entry? entry;
        lock (Gate)
        {
            if (Open.TryGetValue(path, out entry) && (!SameOptions(entry.Store.Options, options) || !File.Exists(path)))
            {
                // Other retention settings, or the state directory was removed: this one is done with.
                Open.Remove(path);
                entry.Idle?.Dispose();
                stale = entry.Users == 0 ? entry.Store : null;
                entry.Retired = true;
                entry = null;
            }
            if (entry is not null)
            {
                entry.Users++;
                entry.Idle?.Dispose();
                entry.Idle = null;
            }
        }
        stale?.Dispose();
        if (entry is null)
        {
            var store = MetricStore.Open(state, options);
            lock (Gate)
            {
                if (Open.TryGetValue(path, out var raced))
                {
                    // Another thread opened it meanwhile: use that one.
                    raced.Users++;
                    raced.Idle?.Dispose();
                    raced.Idle = null;
                    stale = store;
                    entry = raced;
                }
                else
                {
                    entry = new Entry(path, store) { Users = 1 };
                    Open[path] = entry;
                }
            }
            if (!ReferenceEquals(entry.Store, store))
            {
                store.Dispose();
            }
        }
        return new Lease(entry);
    }

    /// <summary>Closes every store nobody holds now (the process is exiting, or a test wants the files closed).</summary>
    public static void CloseAll()
    {
        List<Entry> closing;
        lock (Gate)
        {
            closing = Open.Values.Where(e => e.Users == 0).ToList();
            foreach (var entry in closing)
            {
                Open.Remove(entry.Path);
                entry.Idle?.Dispose();
                entry.Retired = true;
            }
        }
        foreach (var entry in closing)
        {
            entry.Store.Dispose();
        }
    }

    private static void Release(Entry entry)
    {
        try
        {
            entry.Store.Writer.Flush();
        }
        finally
        {
            var close = false;
            lock (Gate)
            {
                entry.Users--;
                if (entry.Users == 0)
                {
                    if (entry.Retired)
                    {
                        close = true;
                    }
                    else
                    {
                        entry.Idle = new Timer(static s => CloseIfIdle((Entry)s!), entry, IdleTime, Timeout.InfiniteTimeSpan);
                    }
                }
            }
            if (close)
            {
                entry.Store.Dispose();
            }
        }
    }

    private static void CloseIfIdle(Entry entry)
    {
        lock (Gate)
        {
            if (entry.Users > 0 || entry.Retired)
            {
                return;
            }
            entry.Retired = true;
            Open.Remove(entry.Path);
            entry.Idle?.Dispose();
        }
        entry.Store.Dispose();
    }

    private static bool SameOptions(MetricStoreOptions a, MetricStoreOptions b) =>
        a.RawRetention == b.RawRetention && a.RollupRetention == b.RollupRetention && a.DailyRetention == b.DailyRetention
        && a.MaxSeriesPerName == b.MaxSeriesPerName && a.MaxSeries == b.MaxSeries;

    internal sealed class Entry(string path, MetricStore store)
    {
        public string Path { get; } = path;
        public MetricStore Store { get; } = store;
        public int Users { get; set; }
        public Timer? Idle { get; set; }
        public bool Retired { get; set; }
    }

    /// <summary>One command's use of the shared store.</summary>
    public sealed class Lease : IDisposable
    {
        private Entry? entry;

        internal Lease(Entry entry) => this.entry = entry;

        /// <summary>The open store.</summary>
        public MetricStore Store => entry?.Store ?? throw new ObjectDisposedException(nameof(Lease));

        /// <summary>Commits what was recorded through the store and returns it.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref entry, null) is { } held)
            {
                Release(held);
            }
        }
    }
}
