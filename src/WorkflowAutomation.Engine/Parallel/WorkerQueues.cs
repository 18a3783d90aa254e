namespace WorkflowAutomation.Parallel;

/// <summary>
/// One queue per worker, ordered by (priority, arrival). A ready task is dealt to an idle
/// worker when there is one, else to the shortest queue. A worker takes from its own queue
/// and steals from another when it runs dry or when another queue holds a task of a more
/// urgent priority, so priorities hold across workers whatever queue a task was dealt to.
/// </summary>
internal sealed class WorkerQueues
{
    // 200 µs: longer than the coordinator needs to queue a dependant, short enough to cost
    // nothing noticeable when a worker really has run out of work.
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000;

    private readonly object gate = new();
    private readonly PriorityQueue<QueuedAttempt, (int Priority, long Sequence)>[] queues;
    private readonly SemaphoreSlim[] wakeUps;
    private readonly bool[] idle;
    private readonly long[] idleSince;
    private long idleClock;
    private long sequence;
    private int nextDeal;
    private bool closed;
    private bool halted;

    public WorkerQueues(int workers)
    {
        queues = new PriorityQueue<QueuedAttempt, (int, long)>[workers];
        wakeUps = new SemaphoreSlim[workers];
        idle = new bool[workers];
        idleSince = new long[workers];
        for (var i = 0; i < workers; i++)
        {
            queues[i] = new();
            wakeUps[i] = new SemaphoreSlim(0);
        }
    }

    public int Workers => queues.Length;

    /// <summary>Attempts waiting in the queues.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return queues.Sum(q => q.Count);
            }
        }
    }

    /// <summary>Whether no attempt waits in any queue.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (gate)
            {
                foreach (var queue in queues)
                {
                    if (queue.Count > 0)
                    {
                        return false;
                    }
                }
                return true;
            }
        }
    }

    /// <summary>Tasks taken from another worker's queue.</summary>
    public int Steals { get; private set; }

    /// <summary>Queues a ready attempt. An attempt handed back after an interruption keeps its place (its old sequence).</summary>
    public void Enqueue(QueuedAttempt attempt) => Enqueue([attempt]);

    /// <summary>
    /// Queues attempts that became ready together, all under one lock, so that no worker
    /// starts the first of them before a more urgent one is in a queue.
    /// </summary>
    public void Enqueue(IReadOnlyList<QueuedAttempt> attempts)
    {
        var wake = new List<int>();
        lock (gate)
        {
            if (closed)
            {
                return;
            }
            foreach (var attempt in attempts)
            {
                if (attempt.Sequence < 0)
                {
                    attempt.Sequence = sequence++;
                }
                var target = MostRecentlyIdle();
                if (target >= 0)
                {
                    idle[target] = false;
                    wake.Add(target);
                }
                else
                {
                    target = Shortest();
                }
                attempt.DealtTo = target;
                queues[target].Enqueue(attempt, (attempt.Task.Priority, attempt.Sequence));
            }
        }
        foreach (var worker in wake)
        {
            wakeUps[worker].Release();
        }
    }

    /// <summary>Blocks until there is a task for this worker; false once the queues are closed.</summary>
    public bool TryTake(int worker, out QueuedAttempt attempt)
    {
        while (true)
        {
            lock (gate)
            {
                if (closed)
                {
                    attempt = null!;
                    return false;
                }
                var best = halted ? -1 : Best(worker);
                if (best >= 0)
                {
                    attempt = queues[best].Dequeue();
                    attempt.Stolen = best != worker;
                    if (attempt.Stolen)
                    {
                        Steals++;
                    }
                    idle[worker] = false;
                    return true;
                }
                idle[worker] = true;
                idleSince[worker] = ++idleClock;
            }
            WaitForWork(worker);
        }
    }

    /// <summary>
    /// Spins briefly before blocking: a worker that just finished a task is the one a newly
    /// ready dependant is dealt to (most recently idle), and catching it while still awake
    /// saves a thread wake-up, the largest part of pickup latency on a busy machine.
    /// </summary>
    private void WaitForWork(int worker)
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
        var spinner = new SpinWait();
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            if (wakeUps[worker].Wait(0))
            {
                return;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        wakeUps[worker].Wait();
    }

    /// <summary>Hands out nothing more (FailFast); workers wait until <see cref="Close"/>.</summary>
    public void Halt()
    {
        lock (gate)
        {
            halted = true;
        }
    }

    /// <summary>Stops every worker; queued attempts are left to the caller to report.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
        }
        foreach (var wakeUp in wakeUps)
        {
            wakeUp.Release();
        }
    }

    /// <summary>Removes and returns every queued attempt (for FailFast and cancellation).</summary>
    public List<QueuedAttempt> Drain()
    {
        var drained = new List<QueuedAttempt>();
        lock (gate)
        {
            foreach (var queue in queues)
            {
                while (queue.TryDequeue(out var attempt, out _))
                {
                    drained.Add(attempt);
                }
            }
        }
        return drained;
    }

    /// <summary>
    /// The queue to take from: the best head overall by (priority, arrival), except that the
    /// worker keeps to its own queue while its head is of that same priority. So priorities
    /// are strict across workers, order within a priority is FIFO per queue, and a worker
    /// steals only when it runs dry or another queue holds more urgent work.
    /// </summary>
    private int Best(int worker)
    {
        var best = -1;
        (int Priority, long Sequence) bestKey = default;
        for (var i = 0; i < queues.Length; i++)
        {
            if (queues[i].TryPeek(out _, out var key) && (best < 0 || key.CompareTo(bestKey) < 0))
            {
                (best, bestKey) = (i, key);
            }
        }
        if (best >= 0 && best != worker && queues[worker].TryPeek(out _, out var own) && own.Priority == bestKey.Priority)
        {
            return worker;
        }
        return best;
    }

    /// <summary>The idle worker that went idle last: its thread is the likeliest to be awake still.</summary>
    private int MostRecentlyIdle()
    {
        var best = -1;
        for (var i = 0; i < idle.Length; i++)
        {
            if (idle[i] && (best < 0 || idleSince[i] > idleSince[best]))
            {
                best = i;
            }
        }
        return best;
    }

    private int Shortest()
    {
        var best = nextDeal;
        for (var offset = 1; offset < queues.Length; offset++)
        {
            var i = (nextDeal + offset) % queues.Length;
            if (queues[i].Count < queues[best].Count)
            {
                best = i;
            }
        }
        nextDeal = (best + 1) % queues.Length;
        return best;
    }
}

/// <summary>One attempt of a task waiting in, or taken from, a worker queue.</summary>
internal sealed class QueuedAttempt
{
    public QueuedAttempt(int index, ParallelTask task, int attempt, long queuedTimestamp, DateTimeOffset queuedAt)
    {
        Index = index;
        Task = task;
        Attempt = attempt;
        QueuedTimestamp = queuedTimestamp;
        QueuedAt = queuedAt;
    }

    public int Index { get; }
    public ParallelTask Task { get; }
    public int Attempt { get; }
    public long QueuedTimestamp { get; }
    public DateTimeOffset QueuedAt { get; }
    public long Sequence { get; set; } = -1;
    public int DealtTo { get; set; }
    public bool Stolen { get; set; }
}
