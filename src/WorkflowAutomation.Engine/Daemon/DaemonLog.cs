using System.Globalization;
using System.Text;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The daemon's log: one line per event, in the state directory's logs folder, owner-only.
/// When the file passes <see cref="MaxBytes"/> it becomes daemon.1.log (the older ones shift
/// up) and at most <see cref="KeepFiles"/> old files are kept.
/// </summary>
public sealed class DaemonLog : IDisposable
{
    private readonly object gate = new();
    private readonly string path;
    private readonly TimeProvider time;
    private FileStream? stream;

    public DaemonLog(string path, TimeProvider? time = null, long maxBytes = 10 * 1024 * 1024, int keepFiles = 5)
    {
        this.path = path;
        this.time = time ?? TimeProvider.System;
        MaxBytes = maxBytes;
        KeepFiles = keepFiles;
    }

    /// <summary>Size at which the file is rotated. The default value is 10 MiB.</summary>
    public long MaxBytes { get; }

    /// <summary>Rotated files kept. The default value is 5.</summary>
    public int KeepFiles { get; }

    public string Path => path;

    /// <summary>Raised for every line written (a job host forwards them).</summary>
    public event Action<string>? Written;

    public void Info(string message) => Write("INFO", message);

    public void Warn(string message) => Write("WARN", message);

    public void Error(string message) => Write("ERROR", message);

    private void Write(string level, string message)
    {
        var line = $"{time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {level} [{Environment.ProcessId}] {Escape(message)}";
        lock (gate)
        {
            try
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                var file = Open();
                if (file.Length > 0 && file.Length + bytes.Length > MaxBytes)
                {
                    Rotate();
                    file = Open();
                }
                file.Write(bytes);
                file.Flush();
            }
            catch (IOException)
            {
                // A full disk must not take the daemon down; the health check reports it.
            }
        }
        Written?.Invoke(line);
    }

    /// <summary>
    /// Writes control characters (line breaks, escape sequences) as \n, \r, \t or \u001b, so
    /// that a name a client chose cannot start a line of its own and forge an entry, nor
    /// drive the terminal of whoever reads the log.
    /// </summary>
    public static string Escape(string message)
    {
        if (!message.Any(NeedsEscape))
        {
            return message;
        }
        var escaped = new StringBuilder(message.Length + 16);
        foreach (var character in message)
        {
            escaped.Append(character switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when NeedsEscape(character) => "\\u" + ((int)character).ToString("x4", CultureInfo.InvariantCulture),
                _ => character.ToString(),
            });
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(char character) =>
        char.IsControl(character) || character is '\u2028' or '\u2029';

    private FileStream Open()
    {
        if (stream is not null)
        {
            return stream;
        }
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.OwnerFileMode;
        }
        return stream = new FileStream(path, options);
    }

    private void Rotate()
    {
        stream?.Dispose();
        stream = null;
        File.Delete(Numbered(KeepFiles));
        for (var index = KeepFiles - 1; index >= 1; index--)
        {
            if (File.Exists(Numbered(index)))
            {
                File.Move(Numbered(index), Numbered(index + 1), overwrite: true);
            }
        }
        File.Move(path, Numbered(1), overwrite: true);
    }

    /// <summary>daemon.log → daemon.3.log.</summary>
    public string Numbered(int index) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!,
            System.IO.Path.GetFileNameWithoutExtension(path) + "." + index.ToString(CultureInfo.InvariantCulture) + System.IO.Path.GetExtension(path));

    public void Dispose()
    {
        lock (gate)
        {
            stream?.Dispose();
            stream = null;
        }
    }
}
