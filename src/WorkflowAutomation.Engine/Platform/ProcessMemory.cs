using System.Runtime;
using System.Runtime.InteropServices;

namespace WorkflowAutomation.Platform;

/// <summary>Gives a quiet process's spare memory back to the operating system.</summary>
public static class ProcessMemory
{
    /// <summary>
    /// Compacts the managed heap and releases what it no longer uses, then (glibc) returns the
    /// native heap's free pages. A long-running process keeps, otherwise, what its busiest
    /// moment needed. Returns the working set before and after, in bytes.
    /// </summary>
    public static (long Before, long After) Trim()
    {
        var before = Environment.WorkingSet;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux())
        {
            TrimNativeHeap();
        }
        return (before, Environment.WorkingSet);
    }

    private static void TrimNativeHeap()
    {
        try
        {
            MallocTrim(0);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): its allocator keeps what it keeps.
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
