namespace WorkflowAutomation.Parallel;

/// <summary>
/// What workers, retry timers and Ctrl+C tell the coordinating thread. The coordinator
/// blocks without spinning (on a small machine a spinning coordinator takes the CPU that the
/// next process start needs) and takes everything that arrived in one go, so a burst of
/// finished tasks costs one wake-up.
/// </summary>
internal sealed class CoordinatorInbox<T>
{
    private readonly object gate = new();
    private List<T> pending = [];
    private List<T> taken = [];
    private bool waiting;

    public void Add(T item)
    {
        lock (gate)
        {
            pending.Add(item);
            if (waiting)
            {
                Monitor.Pulse(gate);
            }
        }
    }

    /// <summary>Waits until something arrived and returns all of it, oldest first. The list is reused by the next call.</summary>
    public IReadOnlyList<T> TakeAll()
    {
        lock (gate)
        {
            while (pending.Count == 0)
            {
                waiting = true;
                Monitor.Wait(gate);
                waiting = false;
            }
            (pending, taken) = (taken, pending);
            pending.Clear();
            return taken;
        }
    }
}
