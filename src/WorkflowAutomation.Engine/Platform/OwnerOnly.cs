namespace WorkflowAutomation.Platform;

/// <summary>
/// Creates folders (0700) and files (0600) that only their owner can read. On Windows the
/// per-user folders already carry an owner-only ACL, so nothing more is done there.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, FolderMode);
        }
        File.SetUnixFileMode(path, FolderMode);
        return path;
    }

    /// <summary>Restricts an existing file to its owner.</summary>
    public static void RestrictFile(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, OwnerFileMode);
        }
    }

    /// <summary>Writes a file atomically (temp file then rename), owner-only from the start.</summary>
    public static void WriteAllText(string path, string contents)
    {
        // Unique, so two writers of one file (threads or processes) never share a temporary file.
        var temp = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("n")[..8];
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFileMode;
        }
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Writes a scratch file owner-only from the start, without the atomic rename and the
    /// flush to disk of <see cref="WriteAllText"/>: for files that live as long as a step.
    /// </summary>
    public static void WriteScratchFile(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFileMode;
        }
        using var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options);
        writer.Write(contents);
    }

    /// <summary>True when a folder can be written by its group or by others.</summary>
    public static bool IsWritableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
    }
}
