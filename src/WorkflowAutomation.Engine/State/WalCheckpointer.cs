using Microsoft.Data.Sqlite;

namespace WorkflowAutomation.State;

/// <summary>
/// Takes SQLite's WAL checkpoints off the writers' path. A connection that writes normally
/// checkpoints itself every thousand pages, inside whichever commit crosses the mark: copying
/// the pages back and two fsyncs, while a submit or a step waits for that commit. The owner's
/// writing connections turn that off (<c>PRAGMA wal_autocheckpoint=0</c>) and this copies the
/// WAL back from a connection of its own, in the background, whenever it has grown. A passive
/// checkpoint never blocks a writer.
/// </summary>
public sealed class WalCheckpointer : IDisposable
{
    /// <summary>How often the WAL's size is looked at. The default value is 250 milliseconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The WAL size from which a checkpoint runs. The default value is 1 MiB (SQLite's own mark is about 4 MiB).</summary>
    public const long DefaultThresholdBytes = 1024 * 1024;

    private readonly string walPath;
    private readonly long thresholdBytes;
    private readonly SqliteConnection connection;
    private readonly Timer timer;
    private readonly object gate = new();
    private bool disposed;

    public WalCheckpointer(string databasePath, TimeSpan? interval = null, long thresholdBytes = DefaultThresholdBytes)
    {
        walPath = databasePath + "-wal";
        this.thresholdBytes = thresholdBytes;
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 5 }.ToString());
        connection.Open();
        var every = interval ?? DefaultInterval;
        timer = new Timer(_ => CheckpointIfGrown(), null, every, every);
    }

    /// <summary>Checkpoints run so far.</summary>
    public long Checkpoints { get; private set; }

    /// <summary>Runs a passive checkpoint now when the WAL has passed the threshold.</summary>
    public void CheckpointIfGrown()
    {
        lock (gate)
        {
            if (disposed || !File.Exists(walPath) || new FileInfo(walPath).Length < thresholdBytes)
            {
                return;
            }
            try
            {
                connection.Execute("PRAGMA wal_checkpoint(PASSIVE)");
                Checkpoints++;
            }
            catch (SqliteException)
            {
                // Busy or locked for a moment: the next look tries again.
            }
        }
    }

    /// <summary>Tells a writing connection to leave checkpoints to a checkpointer.</summary>
    public static void LeaveCheckpointsTo(SqliteConnection writer) => writer.Execute("PRAGMA wal_autocheckpoint=0");

    public void Dispose()
    {
        timer.Dispose();
        lock (gate)
        {
            disposed = true;
            connection.Dispose();
        }
    }
}
