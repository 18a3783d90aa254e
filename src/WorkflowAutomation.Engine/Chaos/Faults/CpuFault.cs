using System.Diagnostics;
using System.Globalization;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Keeps a percentage of some cores busy. With stress-ng installed, its CPU workers do it
/// (<c>--cpu N --cpu-load P</c>, a process tree journaled so a crash cannot leave it running);
/// otherwise one duty-cycled thread per core spins until it has had its share of CPU time in
/// every 100 ms window, then sleeps the rest. Either way the load is measured as the CPU time
/// the load really got (and /proc/stat machine-wide).
/// </summary>
internal sealed class CpuFault(int percent, int cores, string? stressNgPath = null, TimeSpan? duration = null) : IChaosFault
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private readonly long[] cpuTicks = new long[cores];
    private readonly ProcStat procStat = new();
    private readonly List<Thread> threads = [];
    private volatile bool stopping;
    private long lastCpu;
    private long lastWall;
    private Process? stressNg;
    private ChaosTouch? touch;

    /// <summary>Accepted deviation of the measured load, in percentage points.</summary>
    public const double Tolerance = 10;

    /// <summary>Machine-wide busy share above which a CPU fault cannot be expected to get its share.</summary>
    public const double SaturatedPercent = 90;

    /// <summary>What generates the load: stress-ng or this process's threads.</summary>
    public string Engine => stressNgPath is null ? "threads" : "stress-ng";

    public ChaosFaultType Type => ChaosFaultType.Cpu;

    public string Name => $"Cpu {percent} % of {cores} core{(cores == 1 ? string.Empty : "s")} ({Engine})";

    public string Target => $"{cores} of {Environment.ProcessorCount} cores";

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["Percent"] = percent.ToString(CultureInfo.InvariantCulture),
        ["Cores"] = cores.ToString(CultureInfo.InvariantCulture),
        ["Engine"] = Engine,
    };

    /// <summary>Set by <see cref="Verify"/> when the machine, not the fault, kept the load below the target.</summary>
    public string? Saturated { get; private set; }

    public IReadOnlyList<string> Plan() => stressNgPath is null
        ? [$"Start {cores} thread{(cores == 1 ? string.Empty : "s")} in this process (pid {Environment.ProcessId}), each keeping one core {percent} % busy; stopped at the end"]
        : [$"Start {stressNgPath} --cpu {cores} --cpu-load {percent} (one worker per core); killed with its workers at the end"];

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        procStat.BusyPercentSinceLast();
        if (stressNgPath is not null)
        {
            StartStressNg(context);
        }
        else
        {
            touch = context.Touch("Threads", $"pid {Environment.ProcessId}", $"{cores} burner threads at {percent} %");
            for (var i = 0; i < cores; i++)
            {
                var index = i;
                var thread = new Thread(() => Burn(index)) { IsBackground = true, Name = $"chaos-cpu-{index}" };
                threads.Add(thread);
                thread.Start();
            }
        }
        lastWall = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }

    private void StartStressNg(ChaosContext context)
    {
        var info = new ProcessStartInfo(stressNgPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Its own timeout is the last line of defence: the workers end even if nothing else kills them.
        foreach (var argument in new[] { "--cpu", cores.ToString(CultureInfo.InvariantCulture), "--cpu-load", percent.ToString(CultureInfo.InvariantCulture), "--timeout", StressNgTimeout(), "--quiet" })
        {
            info.ArgumentList.Add(argument);
        }
        stressNg = Process.Start(info) ?? throw new InvalidOperationException($"{stressNgPath} could not be started.");
        stressNg.OutputDataReceived += (_, _) => { };
        stressNg.ErrorDataReceived += (_, _) => { };
        stressNg.BeginOutputReadLine();
        stressNg.BeginErrorReadLine();
        context.Journal.KillProcessLater(stressNg.Id, LeftoverProcess.StartTicks(stressNg), "stress-ng");
        touch = context.Touch("Process", $"stress-ng (pid {stressNg.Id})", $"{cores} CPU workers at {percent} %");
        lastCpu = ProcessTreeCpu.Ticks(stressNg.Id);
    }

    /// <summary>The fault's duration with a margin: stress-ng ends by itself then, whatever happens to this process.</summary>
    private string StressNgTimeout() =>
        ((int)Math.Ceiling((duration ?? TimeSpan.FromHours(24)).TotalSeconds) + 30).ToString(CultureInfo.InvariantCulture) + "s";

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
        var cpu = stressNg is not null ? ProcessTreeCpu.Ticks(stressNg.Id) : cpuTicks.Sum(t => Interlocked.Read(ref t));
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
        var how = "threads stopped";
        if (stressNg is not null)
        {
            how = "stress-ng " + LeftoverProcess.Kill(stressNg.Id, LeftoverProcess.StartTicks(stressNg));
            stressNg.WaitForExit(5000);
            context.Journal.Done("stress-ng");
            stressNg.Dispose();
        }
        if (touch is not null)
        {
            touch.Reverted = true;
            touch.Revert = how;
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
            Saturated = $"The machine was saturated ({busy:0} % busy): the {Engine} load got {measured:0.#} % of its cores, not {percent} %.";
            return null;
        }
        return $"The {Engine} load got {measured:0.#} % of its cores, not {percent} % (±{Tolerance}).";
    }
}
