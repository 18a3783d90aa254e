namespace WorkflowAutomation.Daemon;

/// <summary>
/// Notices when the daemon has gone quiet (nothing queued or running, no run accepted or
/// ended) for <paramref name="quietFor"/>, so that the memory its busy spell took is given back:
/// once per quiet spell, and once shortly after it starts.
/// </summary>
internal sealed class IdleMemory(TimeProvider time, TimeSpan quietFor)
{
    private DateTimeOffset lastActivity = time.GetUtcNow();
    private long lastEvents;
    private bool trimmed;

    /// <summary>The default quiet spell before memory is given back. The default value is 2 seconds.</summary>
    public static readonly TimeSpan DefaultQuiet = TimeSpan.FromSeconds(2);

    /// <summary>True once per quiet spell, when it has lasted long enough.</summary>
    /// <param name="working">Runs are queued or running.</param>
    /// <param name="events">A count that moves whenever a run is accepted or changes.</param>
    public bool Due(bool working, long events)
    {
        var now = time.GetUtcNow();
        if (working || events != lastEvents)
        {
            (lastActivity, lastEvents, trimmed) = (now, events, false);
            return false;
        }
        if (trimmed || now - lastActivity < quietFor)
        {
            return false;
        }
        trimmed = true;
        return true;
    }
}
