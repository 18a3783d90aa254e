using WorkflowAutomation.Platform;
using System.Globalization;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Fills the filesystem of a path to a percentage with one filler file (allocated, not
/// sparse), never past <see cref="MaxFillPercent"/> and never leaving less than the free-space
/// floor. The filler is journaled before it exists and deleted at the end.
/// </summary>
internal sealed class DiskFault : IChaosFault
{
    /// <summary>The highest fill the fault ever reaches, whatever is asked.</summary>
    public const int MaxFillPercent = 99;

    /// <summary>Accepted deviation of the measured fill, in percentage points.</summary>
    public const double Tolerance = 2;

    private readonly string folder;
    private int fillPercent;
    private readonly long floorBytes;
    private readonly string filler;
    private readonly int maxFillPercent = MaxFillPercent;
    private readonly bool toTheBrim;
    private long plannedBytes;
    private double expectedPercent;
    private ChaosTouch? touch;

    public DiskFault(string path, int fillPercent, int minFreeMegaBytes)
    {
        folder = Path.GetFullPath(path);
        if (!Directory.Exists(folder))
        {
            throw new ChaosException(ErrorIds.ChaosTargetNotFound, ErrorKind.ObjectNotFound,
                $"The folder '{folder}' does not exist. -Path names a folder on the filesystem to fill.");
        }
        if (fillPercent is < 1 or > MaxFillPercent)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument,
                $"-FillPercent must be from 1 to {MaxFillPercent}; {fillPercent} is outside that range.");
        }
        this.fillPercent = fillPercent;
        floorBytes = minFreeMegaBytes * 1024L * 1024L;
        filler = Path.Combine(folder, $".chaos-fill-{Guid.NewGuid().ToString("n")[..8]}");
    }

    /// <summary>
    /// Fills a filesystem completely, until writing fails with "no space left". Only for a
    /// filesystem the caller made for the purpose (the suite's own small tmpfs): never a user's.
    /// </summary>
    internal static DiskFault ToTheBrim(string path) => new(path);

    private DiskFault(string path)
        : this(path, MaxFillPercent, 1)
    {
        fillPercent = 100;
        maxFillPercent = 100;
        toTheBrim = true;
    }

    public ChaosFaultType Type => ChaosFaultType.Disk;

    public string Name => $"Disk {fillPercent} % full";

    public string Target => folder;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["FillPercent"] = fillPercent.ToString(CultureInfo.InvariantCulture),
        ["Path"] = folder,
        ["MinFreeMegaBytes"] = (floorBytes / 1024 / 1024).ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan()
    {
        var (total, used, _) = Usage();
        var bytes = FillerBytes(total, used, Free());
        return [$"Create filler file {filler} of {bytes / (1024.0 * 1024.0):0.#} MB, taking the filesystem from {100.0 * used / total:0.#} % to {100.0 * (used + bytes) / total:0.#} % used; deleted at the end"];
    }

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var (total, used, _) = Usage();
        plannedBytes = FillerBytes(total, used, Free());
        context.Measure("disk.used_percent", 100.0 * used / total, "%");
        expectedPercent = 100.0 * (used + Math.Max(0, plannedBytes)) / total;
        if (expectedPercent < fillPercent - Tolerance)
        {
            context.Event("Fault", Name, null,
                $"Capped at {expectedPercent:0.#} % to keep {floorBytes / (1024 * 1024)} MB free (the floor) and stay under {MaxFillPercent} %.");
        }
        if (plannedBytes <= 0)
        {
            context.Event("Fault", Name, false, $"The filesystem is already {100.0 * used / total:0.#} % used: nothing to fill.");
            return Task.CompletedTask;
        }
        context.Journal.DeleteFileLater(filler);
        touch = context.Touch("Filler", filler, $"{plannedBytes / (1024.0 * 1024.0):0.#} MB filler");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            PreallocationSize = plannedBytes,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.OwnerFileMode;
        }
        using (var stream = new FileStream(filler, options))
        {
            // Preallocation (fallocate) is the fast path; a filesystem without it gets written blocks.
            var allocated = new FileInfo(filler).Length;
            if (allocated < plannedBytes || Usage().Used < used + plannedBytes * 9 / 10)
            {
                stream.Position = 0;
                var block = new byte[1024 * 1024];
                Array.Fill(block, (byte)0x5A);
                for (long written = 0; written < plannedBytes; written += block.Length)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (Free() - block.Length < floorBytes)
                    {
                        break;
                    }
                    stream.Write(block, 0, (int)Math.Min(block.Length, plannedBytes - written));
                }
            }
            stream.Flush(flushToDisk: true);
        }
        if (toTheBrim)
        {
            TopUp(filler);
            expectedPercent = 100;
        }
        Sample(context, TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <summary>Appends small blocks until the filesystem refuses: the last bytes a preallocation leaves.</summary>
    private static void TopUp(string file)
    {
        var block = new byte[4096];
        // Unbuffered, so a refused write leaves nothing pending that closing would try again.
        using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the filesystem is full, which is the point.
        }
    }

    public void Sample(ChaosContext context, TimeSpan elapsed)
    {
        var (total, used, _) = Usage();
        context.Measure("disk.used_percent", 100.0 * used / total, "%");
        context.Measure("disk.free_mb", Free() / (1024.0 * 1024.0), "MB");
    }

    public Task RevertAsync(ChaosContext context)
    {
        if (File.Exists(filler))
        {
            File.Delete(filler);
        }
        context.Journal.Done(filler);
        if (touch is not null)
        {
            touch.Reverted = !File.Exists(filler);
            touch.Revert = "filler deleted";
        }
        var (total, used, _) = Usage();
        context.Measure("disk.after_revert_percent", 100.0 * used / total, "%");
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result)
    {
        if (plannedBytes <= 0)
        {
            return null;
        }
        var peak = result.Measurements.Where(m => m.Name == "disk.used_percent").Select(m => m.Value).DefaultIfEmpty(0).Max();
        var target = expectedPercent;
        return Math.Abs(peak - target) <= Tolerance
            ? null
            : $"The filesystem reached {peak:0.#} % used, not {target:0.#} % (±{Tolerance}): something else wrote or freed space meanwhile.";
    }

    /// <summary>Bytes to add, capped so that neither the fill cap nor the free-space floor is crossed.</summary>
    private long FillerBytes(long total, long used, long free)
    {
        var wanted = (long)(total * (fillPercent / 100.0)) - used;
        var cap = (long)(total * (maxFillPercent / 100.0)) - used;
        var aboveFloor = free - floorBytes;
        return Math.Max(0, Math.Min(wanted, Math.Min(cap, aboveFloor)));
    }

    /// <summary>Total and used bytes of the filesystem (used counts what users cannot have: total minus available).</summary>
    private (long Total, long Used, long Free) Usage()
    {
        var drive = new DriveInfo(folder);
        var total = drive.TotalSize;
        var free = drive.AvailableFreeSpace;
        return (total, total - free, free);
    }

    private long Free() => new DriveInfo(folder).AvailableFreeSpace;
}
