using System.Globalization;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// logs/daemon-console.log: what a detached daemon and its supervisor write to their standard
/// streams (before the daemon's own log is open, and what the runtime prints when a process
/// dies). The processes hold it open in append mode, so it is rotated by copying it to
/// daemon-console.1.log (older copies shift up) and truncating it in place; lines written
/// during the copy itself may be lost. Owner-only like every file of the state directory.
/// </summary>
public static class ConsoleLog
{
    /// <summary>Size past which the file is rotated. The value is 5 MiB.</summary>
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>Rotated copies kept. The value is 3.</summary>
    public const int KeepFiles = 3;

    /// <summary>Creates the file owner-only (or restricts one left by an older version) and rotates it when too large.</summary>
    public static void Prepare(string path, long maxBytes = MaxBytes)
    {
        if (File.Exists(path))
        {
            OwnerOnly.RestrictFile(path);
            RotateIfLarger(path, maxBytes);
            return;
        }
        OwnerOnly.WriteAllText(path, "");
    }

    /// <summary>Copies the file aside and empties it when it passed <paramref name="maxBytes"/>; true when it did.</summary>
    public static bool RotateIfLarger(string path, long maxBytes = MaxBytes)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length <= maxBytes)
            {
                return false;
            }
            File.Delete(Numbered(path, KeepFiles));
            for (var index = KeepFiles - 1; index >= 1; index--)
            {
                if (File.Exists(Numbered(path, index)))
                {
                    File.Move(Numbered(path, index), Numbered(path, index + 1), overwrite: true);
                }
            }
            File.Copy(path, Numbered(path, 1), overwrite: true);
            OwnerOnly.RestrictFile(Numbered(path, 1));
            using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                truncate.SetLength(0);
            }
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A full disk or a file held elsewhere: try again next time.
            return false;
        }
    }

    /// <summary>daemon-console.log → daemon-console.2.log.</summary>
    public static string Numbered(string path, int index) =>
        Path.Combine(Path.GetDirectoryName(path)!,
            Path.GetFileNameWithoutExtension(path) + "." + index.ToString(CultureInfo.InvariantCulture) + Path.GetExtension(path));
}
