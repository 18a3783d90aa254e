using System.Diagnostics;
using System.Globalization;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Keeps a percentage of some cores busy: one duty-cycled thread per core, each spinning until
/// it has had its share of CPU time in every 100 ms window, then sleeping the rest. The load
/// is measured as the CPU time the threads really got (and /proc/stat machine-wide).
/// </summary>
internal sealed class CpuFault(int percent, int cores) : IChaosFault
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private readonly long[] cpuTicks = new long[cores];
    private readonly ProcStat procStat = new();
    private readonly List<Thread> threads = [];
    private volatile bool stopping;
    private long lastCpu;
    private long lastWall;
    private ChaosTouch? touch;

    /// <summary>Accepted deviation of the measured load, in percentage points.</summary>
    public const double Tolerance = 10;

    public ChaosFaultType Type => ChaosFaultType.Cpu;

    public string Name => $"Cpu {percent} % of {cores} core{(cores == 1 ? string.Empty : "s")}";

    public string Target => $"{cores} of {Environment.ProcessorCount} cores";

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["Percent"] = percent.ToString(CultureInfo.InvariantCulture),
        ["Cores"] = cores.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan() =>
        [$"Start {cores} thread{(cores == 1 ? string.Empty : "s")} in this process (pid {Environment.ProcessId}), each keeping one core {percent} % busy; stopped at the end"];

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        touch = context.Touch("Threads", $"pid {Environment.ProcessId}", $"{cores} burner threads at {percent} %");
        procStat.BusyPercentSinceLast();
        for (var i = 0; i < cores; i++)
        {
            var index = i;
            var thread = new Thread(() => Burn(index)) { IsBackground = true, Name = $"chaos-cpu-{index}" };
            threads.Add(thread);
            thread.Start();
        }
        lastWall = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }

    private void Burn(int index)
    {
        var share = Window * (percent / 100.0);
        var started = ThreadCpuClock.Now();
        while (!stopping)
        {
            var windowStart = Stopwatch.GetTimestamp();
            var cpuAtStart = ThreadCpuClock.Now();
            // Spin until this thread has had its share of CPU in this window, or the window is over.
            while (!stopping && ThreadCpuClock.Now() - cpuAtStart < share && Stopwatch.GetElapsedTime(windowStart) < Window)
            {
                Thread.SpinWait(200);
            }
            Interlocked.Exchange(ref cpuTicks[index], (ThreadCpuClock.Now() - started).Ticks);
            var rest = Window - Stopwatch.GetElapsedTime(windowStart);
            if (rest > TimeSpan.Zero && !stopping)
            {
                Thread.Sleep(rest);
            }
        }
    }

    public void Sample(ChaosContext context, TimeSpan elapsed)
    {
        var cpu = cpuTicks.Sum(t => Interlocked.Read(ref t));
        var wall = Stopwatch.GetTimestamp();
        var wallSpan = Stopwatch.GetElapsedTime(lastWall, wall);
        if (wallSpan > TimeSpan.Zero)
        {
            context.Measure("cpu.fault_percent", 100.0 * (cpu - lastCpu) / (wallSpan.Ticks * (double)cores), "%");
        }
        (lastCpu, lastWall) = (cpu, wall);
        if (procStat.BusyPercentSinceLast() is { } busy)
        {
            context.Measure("cpu.system_percent", busy, "%");
        }
    }

    public Task RevertAsync(ChaosContext context)
    {
        stopping = true;
        foreach (var thread in threads)
        {
            thread.Join();
        }
        if (touch is not null)
        {
            touch.Reverted = true;
            touch.Revert = "threads stopped";
        }
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result)
    {
        // The first window starts cold: judge the mean of the whole run.
        if (result.Mean("cpu.fault_percent") is not { } measured)
        {
            return "The CPU load was never measured: the fault ended before its first sample.";
        }
        if (Math.Abs(measured - percent) <= Tolerance)
        {
            return null;
        }
        // Under-delivery on a machine with no idle CPU is the machine's doing, not the fault's: say so, do not fail.
        if (measured < percent && result.Mean("cpu.system_percent") is >= SaturatedPercent and var busy)
        {
            Saturated = $"The machine was saturated ({busy:0} % busy): the burner threads got {measured:0.#} % of their cores, not {percent} %.";
            return null;
        }
        return $"The burner threads got {measured:0.#} % of their cores, not {percent} % (±{Tolerance}).";
    }

    /// <summary>Machine-wide busy share above which a CPU fault cannot be expected to get its share.</summary>
    public const double SaturatedPercent = 90;

    /// <summary>Set by <see cref="Verify"/> when the machine, not the fault, kept the load below the target.</summary>
    public string? Saturated { get; private set; }
}
