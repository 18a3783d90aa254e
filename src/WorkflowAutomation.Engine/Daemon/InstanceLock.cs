using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// One daemon per state directory. The proof is an exclusive OS lock on <c>daemon.lock</c>
/// (flock on Unix, a share-none handle on Windows), which the OS releases when the process
/// dies, even by kill -9; the pid file only says who holds it.
/// </summary>
public sealed class InstanceLock : IDisposable
{
    private readonly FileStream handle;
    private readonly DaemonPaths paths;

    private InstanceLock(FileStream handle, DaemonPaths paths)
    {
        this.handle = handle;
        this.paths = paths;
    }

    /// <summary>Takes the lock and writes the pid file, or says which process holds it.</summary>
    public static InstanceLock Acquire(DaemonPaths paths)
    {
        paths.EnsureFolders();
        var handle = TryOpen(paths) ?? throw new DaemonAlreadyRunningException(paths.State.Root, DaemonPaths.ReadPid(paths.PidFile));
        OwnerOnly.WriteAllText(paths.PidFile, Environment.ProcessId + "\n");
        return new InstanceLock(handle, paths);
    }

    /// <summary>True while some process (this one included) holds the lock.</summary>
    public static bool IsHeld(DaemonPaths paths)
    {
        if (!File.Exists(paths.LockFile))
        {
            return false;
        }
        using var probe = TryOpen(paths);
        return probe is null;
    }

    private static FileStream? TryOpen(DaemonPaths paths)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.OwnerFileMode;
        }
        try
        {
            return new FileStream(paths.LockFile, options);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the pid file (a clean stop) and releases the lock.</summary>
    public void Dispose()
    {
        if (DaemonPaths.ReadPid(paths.PidFile) == Environment.ProcessId)
        {
            File.Delete(paths.PidFile);
        }
        // The lock file itself stays: deleting it would let a second daemon lock a new file
        // while a slow first one still holds the old one.
        handle.Dispose();
    }
}
