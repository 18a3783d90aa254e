namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>One client connection, as the server's connection limit sees it.</summary>
internal sealed class IpcConnection(Stream stream, TimeProvider time) : IDisposable
{
    private readonly CancellationTokenSource closing = new();
    private long lastActivity = time.GetTimestamp();
    private int disposed;
    private int inFlight;

    public Stream Stream => stream;

    /// <summary>Cancelled when the server closes the connection to make room, or stops.</summary>
    public CancellationToken Closing => closing.Token;

    /// <summary>True while a request is being answered: such a connection is never evicted.</summary>
    public bool Busy => Volatile.Read(ref inFlight) > 0;

    /// <summary>Requests received and not yet answered (a client may send several before reading).</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    public void Received() => Interlocked.Increment(ref inFlight);

    public void Answered() => Interlocked.Decrement(ref inFlight);

    public long LastActivity => Interlocked.Read(ref lastActivity);

    public void Touch() => Interlocked.Exchange(ref lastActivity, time.GetTimestamp());

    /// <summary>Closes the connection from outside, ending whatever read or write is pending on it.</summary>
    public void Abort()
    {
        if (Volatile.Read(ref disposed) == 1)
        {
            return;
        }
        try
        {
            closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        stream.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        stream.Dispose();
        closing.Dispose();
    }
}

/// <summary>A cancellation that fires after a delay on the given clock, or when any linked token does.</summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource timer;
    private readonly CancellationTokenSource linked;

    public Deadline(TimeSpan delay, TimeProvider time, params CancellationToken[] tokens)
    {
        timer = new CancellationTokenSource(delay, time);
        linked = CancellationTokenSource.CreateLinkedTokenSource([timer.Token, .. tokens]);
    }

    public CancellationToken Token => linked.Token;

    /// <summary>True when it was the delay, not a linked token, that ended the wait.</summary>
    public bool Expired => timer.IsCancellationRequested;

    public void Dispose()
    {
        linked.Dispose();
        timer.Dispose();
    }
}
