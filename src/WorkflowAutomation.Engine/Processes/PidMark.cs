using System.Diagnostics;

namespace WorkflowAutomation.Processes;

/// <summary>
/// A point in the order in which Linux hands out process ids: the last pid given out in this
/// pid namespace (/proc/sys/kernel/ns_last_pid) and when it was read. Pids are handed out
/// upwards until the counter wraps at pid_max, so the processes started between two marks
/// are those whose pid lies between them. A sweep for a step's processes then reads only
/// those few, instead of the environment of every process on the machine.
/// </summary>
public readonly record struct PidMark
{
    // Past this many pids between two marks, listing /proc is as cheap as probing each one.
    private const int MaxRange = 2048;

    // Within this time the counter cannot wrap all the way round (pid_max is at least 32,768),
    // so a range that did not wrap holds every pid given out.
    private static readonly TimeSpan MaxSpan = TimeSpan.FromMilliseconds(250);

    private static readonly Lazy<Microsoft.Win32.SafeHandles.SafeFileHandle?> LastPidFile = new(OpenLastPid);

    private PidMark(long lastPid, long timestamp)
    {
        LastPid = lastPid;
        Timestamp = timestamp;
    }

    /// <summary>The last pid given out, or -1 where the kernel does not tell.</summary>
    public long LastPid { get; }

    private long Timestamp { get; }

    /// <summary>Now: the last pid given out so far.</summary>
    public static PidMark Take() => new(ReadLastPid(), Stopwatch.GetTimestamp());

    /// <summary>
    /// The live processes (and threads of other processes) started after this mark and up to
    /// <paramref name="later"/>; null when that cannot be told (the counter wrapped, too much
    /// time passed, or the kernel does not say), so the caller reads every process instead.
    /// </summary>
    public IEnumerable<int>? StartedUntil(PidMark later)
    {
        if (LastPid < 0 || later.LastPid < LastPid || later.LastPid - LastPid > MaxRange
            || Stopwatch.GetElapsedTime(Timestamp, later.Timestamp) > MaxSpan)
        {
            return null;
        }
        return Live(LastPid + 1, later.LastPid);
    }

    private static IEnumerable<int> Live(long first, long last)
    {
        for (var pid = first; pid <= last; pid++)
        {
            // A thread id is a pid too: one of this process's own threads is never a step's process.
            if (Directory.Exists($"/proc/{pid}") && !Directory.Exists($"/proc/self/task/{pid}"))
            {
                yield return (int)pid;
            }
        }
    }

    private static long ReadLastPid()
    {
        if (LastPidFile.Value is not { } handle)
        {
            return -1;
        }
        Span<byte> buffer = stackalloc byte[24];
        try
        {
            // The kernel writes the value afresh on every read from offset 0.
            var read = RandomAccess.Read(handle, buffer, 0);
            return long.TryParse(System.Text.Encoding.ASCII.GetString(buffer[..read]).Trim(), out var pid) ? pid : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenLastPid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            return File.OpenHandle("/proc/sys/kernel/ns_last_pid", FileMode.Open, FileAccess.Read);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
