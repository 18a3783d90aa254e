using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Holds a number of megabytes resident: native blocks whose every page is written, so the
/// kernel must back them with real memory. Freed at the end (large blocks go back to the
/// system at once). Measured page by page (mincore): how much of the fault's own memory is
/// resident, whatever the rest of the process does meanwhile.
/// </summary>
internal sealed class MemoryFault(int megaBytes) : IChaosFault
{
    private const int ChunkBytes = 16 * 1024 * 1024;
    private const int PageBytes = 4096;
    private readonly List<(nint Address, int Size)> blocks = [];
    private long baselineBytes;
    private ChaosTouch? touch;

    public ChaosFaultType Type => ChaosFaultType.Memory;

    public string Name => $"Memory {megaBytes} MB resident";

    public string Target => $"pid {Environment.ProcessId}";

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["MegaBytes"] = megaBytes.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan() =>
        [$"Allocate and touch {megaBytes} MB in this process (pid {Environment.ProcessId}); freed at the end"];

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        // The host's own heap must not shrink under the measurement: a collection that gives
        // memory back while the fault runs would read as pages of the fault being reclaimed.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        baselineBytes = ResidentBytes();
        touch = context.Touch("Memory", $"pid {Environment.ProcessId}", $"{megaBytes} MB allocated and touched");
        var remaining = (long)megaBytes * 1024 * 1024;
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = (int)Math.Min(ChunkBytes, remaining);
            var block = Marshal.AllocHGlobal(size);
            blocks.Add((block, size));
            for (var offset = 0; offset < size; offset += PageBytes)
            {
                Marshal.WriteByte(block, offset, 1);
            }
            remaining -= size;
        }
        return Task.CompletedTask;
    }

    public void Sample(ChaosContext context, TimeSpan elapsed) =>
        context.Measure("memory.fault_mb", FaultResidentBytes() / (1024.0 * 1024.0), "MB");

    public Task RevertAsync(ChaosContext context)
    {
        foreach (var (block, _) in blocks)
        {
            Marshal.FreeHGlobal(block);
        }
        blocks.Clear();
        context.Measure("memory.after_revert_mb", (ResidentBytes() - baselineBytes) / (1024.0 * 1024.0), "MB");
        if (touch is not null)
        {
            touch.Reverted = true;
            touch.Revert = "freed";
        }
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result)
    {
        if (result.Measurements.Where(m => m.Name == "memory.fault_mb").Select(m => m.Value).DefaultIfEmpty(double.NaN).Max() is var held
            && double.IsNaN(held))
        {
            return "The memory was never measured: the fault ended before its first sample.";
        }
        // Other allocations of the process move the resident set a little either way.
        return held >= megaBytes * 0.9
            ? null
            : $"Only {held:0} MB of {megaBytes} MB stayed resident: the system swapped or reclaimed it.";
    }

    /// <summary>
    /// The resident bytes of the fault's own blocks, asked of the kernel page by page; where
    /// mincore is not available, the growth of the process's resident memory since the start.
    /// </summary>
    private long FaultResidentBytes()
    {
        if (OperatingSystem.IsWindows())
        {
            return ResidentBytes() - baselineBytes;
        }
        var page = Environment.SystemPageSize;
        long resident = 0;
        foreach (var (block, size) in blocks)
        {
            var start = block & ~(nint)(page - 1);
            var length = (nuint)(block + size - start);
            var pages = new byte[(int)((length + (nuint)page - 1) / (nuint)page)];
            if (mincore(start, length, pages) != 0)
            {
                return ResidentBytes() - baselineBytes;
            }
            resident += pages.Count(state => (state & 1) != 0) * (long)page;
        }
        return resident;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mincore(nint address, nuint length, byte[] residency);

    /// <summary>
    /// This process's anonymous resident memory (RssAnon): the fault's pages are anonymous,
    /// while file-backed pages (code, mapped assemblies) leave and come back as the machine's
    /// page cache churns and would read as the fault's pages being reclaimed. The whole
    /// resident set where the kernel does not split it.
    /// </summary>
    internal static long ResidentBytes()
    {
        if (File.Exists("/proc/self/status"))
        {
            long? total = null;
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    return Kilobytes(line) * 1024;
                }
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    total = Kilobytes(line) * 1024;
                }
            }
            if (total is { } rss)
            {
                return rss;
            }
        }
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
