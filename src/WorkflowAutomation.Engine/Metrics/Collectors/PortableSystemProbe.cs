using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Metrics.Collectors;

/// <summary>
/// Readings every platform's .NET offers: disks (DriveInfo), network interfaces, this process,
/// and the memory the runtime sees. System CPU comes from GetSystemTimes on Windows; macOS has
/// no portable reading of system CPU or of available memory, so those are left out there.
/// </summary>
public sealed class PortableSystemProbe : ISystemProbe
{
    public SystemSnapshot Read()
    {
        using var process = Process.GetCurrentProcess();
        return new SystemSnapshot
        {
            CpuTimes = OperatingSystem.IsWindows() ? WindowsCpuTimes() : null,
            MemoryTotalBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            Disks = Disks(),
            Network = Network(),
            ProcessCpuTime = process.TotalProcessorTime,
            ProcessWorkingSetBytes = process.WorkingSet64,
            ProcessManagedBytes = GC.GetTotalMemory(forceFullCollection: false),
        };
    }

    /// <summary>Mounted local, removable and network file systems with a size (not /proc, tmpfs and the like).</summary>
    public static IReadOnlyList<DiskUsage> Disks()
    {
        var list = new List<DiskUsage>();
        foreach (var drive in DriveInfo.GetDrives())
        {
            try
            {
                if (drive.IsReady && drive.DriveType is DriveType.Fixed or DriveType.Removable or DriveType.Network
                    && drive.TotalSize > 0 && list.All(d => d.Mount != drive.Name))
                {
                    list.Add(new DiskUsage(drive.Name, drive.TotalSize, drive.TotalFreeSpace));
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A mount that went away or that we may not read: skip it this time.
            }
        }
        return list;
    }

    private static List<NetworkCounters> Network()
    {
        var list = new List<NetworkCounters>();
        try
        {
            foreach (var adapter in NetworkInterface.GetAllNetworkInterfaces())
            {
                var statistics = adapter.GetIPStatistics();
                list.Add(new NetworkCounters(adapter.Name, statistics.BytesReceived, statistics.BytesSent));
            }
        }
        catch (NetworkInformationException)
        {
            // No readable interfaces: no network metrics this time.
        }
        catch (PlatformNotSupportedException)
        {
            // Some platforms expose no interface statistics.
        }
        return list;
    }

    private static (ulong, ulong)? WindowsCpuTimes()
    {
        if (!OperatingSystem.IsWindows() || !GetSystemTimes(out var idle, out var kernel, out var user))
        {
            return null;
        }
        // Kernel time includes idle time.
        var total = kernel + user;
        return (total - idle, total);
    }

    [DllImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool GetSystemTimes(out ulong idleTime, out ulong kernelTime, out ulong userTime);
}
