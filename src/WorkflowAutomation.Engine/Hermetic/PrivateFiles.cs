namespace WorkflowAutomation.Hermetic;

/// <summary>Owner-only folders (0700) and files (0600) for what environments keep: HOME, registrations, scripts.</summary>
internal static class PrivateFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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

    /// <summary>Written to a temporary file, owner-only from the start, then renamed over the target.</summary>
    public static void WriteAllText(string path, string contents)
    {
        var temp = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("n")[..8];
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        using (var writer = new StreamWriter(temp, new System.Text.UTF8Encoding(false), options))
        {
            writer.Write(contents);
        }
        File.Move(temp, path, overwrite: true);
    }
}
