namespace WorkflowAutomation.Parallel;

/// <summary>
/// What workers, retry timers and Ctrl+C tell the coordinating thread. The coordinator
/// blocks without spinning (on a small machine a spinning coordinator takes the CPU that the
/// next process start needs) and takes everything that arrived in one go, so a burst of
/// finished tasks costs one wake-up.
/// </summary>
/// <remarks>
/// A message that nothing waits on (a task that succeeded with no dependants while others
/// still run) does not wake a coordinator that heard something lately: it is picked up with
/// the next wake-up, at most <see cref="HoldFor"/> later. Waking the coordinator for each of
/// thousands of short tasks cost two context switches a task, a tenth of the time of a
/// process start on a two-core machine. A coordinator that heard nothing for that long
/// sleeps until anything comes.
/// </remarks>
internal sealed class CoordinatorInbox<T>
{
    /// <summary>The longest a message that nothing waits on is held.</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromMilliseconds(10);

    // Held messages beyond this many wake the coordinator anyway, so a burst stays small.
    private const int MostHeld = 256;

    private readonly object gate = new();
    private List<T> pending = [];
    private List<T> taken = [];
    private bool waiting;
    private bool asleep;
    private int wakeUps;

    /// <summary>How many times an added message woke the coordinator.</summary>
    public int WakeUps => Volatile.Read(ref wakeUps);

    /// <summary>Adds a message; <paramref name="urgent"/> false lets a coordinator that is busy anyway pick it up with its next wake-up.</summary>
    public void Add(T item, bool urgent = true)
    {
        lock (gate)
        {
            pending.Add(item);
            if (waiting && (urgent || asleep || pending.Count >= MostHeld))
            {
                Monitor.Pulse(gate);
                wakeUps++;
            }
        }
    }

    /// <summary>Waits until something arrived and returns all of it, oldest first. The list is reused by the next call.</summary>
    public IReadOnlyList<T> TakeAll()
    {
        lock (gate)
        {
            var expecting = true;
            while (pending.Count == 0)
            {
                waiting = true;
                asleep = !expecting;
                // While messages are coming, wait a bounded time (held messages end it); after a quiet spell, until anything comes.
                expecting = expecting ? Monitor.Wait(gate, HoldFor) : Monitor.Wait(gate);
                waiting = asleep = false;
            }
            (pending, taken) = (taken, pending);
            pending.Clear();
            return taken;
        }
    }
}
