namespace WorkflowAutomation.Metrics.Collectors;

/// <summary>
/// Cumulative readings of the machine and of this process at one moment. Rates and
/// percentages come from the difference between two snapshots. Null where the platform
/// offers no reading.
/// </summary>
public sealed class SystemSnapshot
{
    /// <summary>CPU time spent busy and in total since boot, in any one unit (Linux: clock ticks).</summary>
    public (ulong Busy, ulong Total)? CpuTimes { get; init; }

    public long? MemoryTotalBytes { get; init; }

    public long? MemoryAvailableBytes { get; init; }

    public IReadOnlyList<DiskUsage> Disks { get; init; } = [];

    public IReadOnlyList<NetworkCounters> Network { get; init; } = [];

    public TimeSpan ProcessCpuTime { get; init; }

    public long ProcessWorkingSetBytes { get; init; }

    public long ProcessManagedBytes { get; init; }
}

/// <summary>Size and free space of one mounted file system.</summary>
public sealed record DiskUsage(string Mount, long TotalBytes, long FreeBytes);

/// <summary>Bytes received and sent through one network interface since it came up.</summary>
public sealed record NetworkCounters(string Interface, long ReceivedBytes, long SentBytes);

/// <summary>Takes snapshots; one implementation per source (/proc, portable .NET APIs, a test's files).</summary>
public interface ISystemProbe
{
    SystemSnapshot Read();
}
