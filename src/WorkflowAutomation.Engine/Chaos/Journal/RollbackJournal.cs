using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The on-disk record of what a running chaos test would leave behind if its process died
/// (filler files, corrupted files and their backups, stress-ng processes, netem rules, the
/// suite's scratch daemon, tmpfs and folder). Written before each thing
/// is touched and removed once everything is reverted; the next test, or
/// Invoke-ChaosTest -Recover, undoes what a killed test left.
/// </summary>
public sealed class RollbackJournal
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
    private readonly JournalFile file;
    private readonly string path;

    private RollbackJournal(string path, JournalFile file)
    {
        this.path = path;
        this.file = file;
    }

    /// <summary>The folder of journals in a state directory.</summary>
    public static string Folder(StateDirectory state) => Path.Combine(state.ChaosFolder, "rollback");

    /// <summary>The folder of backups of corrupted files.</summary>
    public static string BackupFolder(StateDirectory state) => Path.Combine(state.ChaosFolder, "backups");

    /// <summary>Opens the journal of one test, owned by this process.</summary>
    public static RollbackJournal Begin(StateDirectory state, string resultId)
    {
        state.EnsureFolder(state.ChaosFolder);
        var folder = state.EnsureFolder(Folder(state));
        using var self = Process.GetCurrentProcess();
        var journal = new RollbackJournal(Path.Combine(folder, resultId + ".json"), new JournalFile
        {
            ResultId = resultId,
            OwnerPid = Environment.ProcessId,
            OwnerStart = self.StartTime.ToUniversalTime().Ticks,
        });
        journal.Save();
        return journal;
    }

    /// <summary>Records that a file will be created and must be deleted.</summary>
    public void DeleteFileLater(string filePath) => Add(new JournalEntry { Kind = JournalKind.DeleteFile, Path = filePath });

    /// <summary>Records that a file will be changed and must be restored from a backup with this hash.</summary>
    public void RestoreFileLater(string filePath, string backup, string sha256) =>
        Add(new JournalEntry { Kind = JournalKind.RestoreFile, Path = filePath, Backup = backup, Sha256 = sha256 });

    /// <summary>Records a process (a load generator) that must be killed with its children; the start time tells it from a recycled pid.</summary>
    public void KillProcessLater(int pid, long startTicks, string name) =>
        Add(new JournalEntry { Kind = JournalKind.KillProcess, Path = name, Pid = pid, StartTicks = startTicks });

    /// <summary>Records the root qdisc (with this handle) that must be deleted from a device of this network namespace.</summary>
    public void DeleteNetemLater(string device, string handle) =>
        Add(new JournalEntry { Kind = JournalKind.DeleteNetem, Path = device, Handle = handle, NetNamespace = NetNamespaceOfThisProcess() });

    /// <summary>Records a scratch state directory whose daemon and supervisor must be killed.</summary>
    public void StopDaemonLater(string stateRoot) => Add(new JournalEntry { Kind = JournalKind.StopDaemon, Path = stateRoot });

    /// <summary>Records a filesystem mounted for a test that must be unmounted.</summary>
    public void UnmountLater(string mountPoint) => Add(new JournalEntry { Kind = JournalKind.Unmount, Path = mountPoint });

    /// <summary>Records a scratch folder that must be deleted with its contents.</summary>
    public void DeleteFolderLater(string folder) => Add(new JournalEntry { Kind = JournalKind.DeleteFolder, Path = folder });

    /// <summary>Marks an entry done (reverted by its fault), so recovery leaves it alone.</summary>
    public void Done(string filePath)
    {
        lock (file)
        {
            file.Entries.RemoveAll(entry => entry.Path == filePath);
            Save();
        }
    }

    /// <summary>Marks one kind of entry of a path done, leaving the others of the same path.</summary>
    internal void Done(string path, JournalKind kind)
    {
        lock (file)
        {
            file.Entries.RemoveAll(entry => entry.Path == path && entry.Kind == kind);
            Save();
        }
    }

    /// <summary>Everything was reverted: the journal goes.</summary>
    public void Complete()
    {
        lock (file)
        {
            File.Delete(path);
        }
    }

    private void Add(JournalEntry entry)
    {
        lock (file)
        {
            file.Entries.Add(entry);
            Save();
        }
    }

    private void Save() => OwnerOnly.WriteAllText(path, JsonSerializer.Serialize(file, Json));

    /// <summary>
    /// Undoes what tests whose process is gone left behind; journals of a test still running
    /// (its process alive) are left alone. Returns what was reverted, or could not be.
    /// </summary>
    public static IReadOnlyList<ChaosTouch> Recover(StateDirectory state, Func<string, bool>? shouldProcess = null)
    {
        var folder = Folder(state);
        var touched = new List<ChaosTouch>();
        if (!Directory.Exists(folder))
        {
            return touched;
        }
        foreach (var journalPath in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            JournalFile? journal;
            try
            {
                journal = JsonSerializer.Deserialize<JournalFile>(File.ReadAllText(journalPath), Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (journal is null || IsAlive(journal.OwnerPid, journal.OwnerStart))
            {
                continue;
            }
            var all = true;
            foreach (var entry in Enumerable.Reverse(journal.Entries))
            {
                var touch = new ChaosTouch { Kind = entry.Kind.ToString(), What = entry.Path, Action = $"left by chaos test {journal.ResultId}" };
                if (shouldProcess is not null && !shouldProcess(Describe(entry)))
                {
                    all = false;
                    continue;
                }
                try
                {
                    touch.Revert = RevertEntry(entry);
                    touch.Reverted = true;
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    touch.Revert = exception.Message;
                    all = false;
                }
                touched.Add(touch);
            }
            if (all)
            {
                File.Delete(journalPath);
            }
        }
        return touched;
    }

    /// <summary>What recovery would do for an entry, for -WhatIf.</summary>
    private static string Describe(JournalEntry entry) => entry.Kind switch
    {
        JournalKind.DeleteFile => $"Delete filler file {entry.Path}",
        JournalKind.KillProcess => $"Kill {entry.Path} (process {entry.Pid}) and its children",
        JournalKind.DeleteNetem => $"Delete the netem rule (root qdisc {entry.Handle}) of {entry.Path}",
        JournalKind.StopDaemon => $"Kill the scratch daemon and supervisor of {entry.Path}",
        JournalKind.Unmount => $"Unmount the scratch filesystem at {entry.Path}",
        JournalKind.DeleteFolder => $"Delete the scratch folder {entry.Path}",
        _ => $"Restore {entry.Path} from {entry.Backup}",
    };

    private static string RevertEntry(JournalEntry entry)
    {
        switch (entry.Kind)
        {
            case JournalKind.DeleteFile:
                File.Delete(entry.Path);
                return "deleted";
            case JournalKind.KillProcess:
                return LeftoverProcess.Kill(entry.Pid, entry.StartTicks);
            case JournalKind.DeleteNetem:
                if (entry.NetNamespace is { } netns && netns != NetNamespaceOfThisProcess())
                {
                    throw new InvalidOperationException($"the rule is in network namespace {netns}; run Invoke-ChaosTest -Recover there (ip netns exec …)");
                }
                return Netem.DeleteRoot(entry.Path, entry.Handle!);
            case JournalKind.StopDaemon:
                return ScratchMount.KillDaemon(entry.Path);
            case JournalKind.Unmount:
                return ScratchMount.Unmount(entry.Path);
            case JournalKind.DeleteFolder:
                if (Directory.Exists(entry.Path))
                {
                    Directory.Delete(entry.Path, recursive: true);
                }
                return "deleted";
            default:
                RestoreFromBackup(entry.Path, entry.Backup!, entry.Sha256!);
                return "restored byte for byte from the backup";
        }
    }

    /// <summary>Copies a backup over a file and checks the hash; the backup is removed once the file matches.</summary>
    internal static void RestoreFromBackup(string target, string backup, string sha256)
    {
        if (!File.Exists(backup))
        {
            if (File.Exists(target) && Hash(target) == sha256)
            {
                return;
            }
            throw new IOException($"The backup {backup} of {target} is missing; the file cannot be restored.");
        }
        File.Copy(backup, target, overwrite: true);
        if (Hash(target) != sha256)
        {
            throw new IOException($"{target} does not match its backup after the restore.");
        }
        File.Delete(backup);
    }

    /// <summary>The SHA-256 of a file, in hex.</summary>
    public static string Hash(string filePath)
    {
        using var stream = File.OpenRead(filePath);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static bool IsAlive(int pid, long startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // A recycled pid belongs to another process: compare start times (to the second).
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The network namespace of this process (its /proc link), so a netem rule is only removed where it was added.</summary>
    internal static string? NetNamespaceOfThisProcess()
    {
        try
        {
            return OperatingSystem.IsLinux() ? new FileInfo("/proc/self/ns/net").LinkTarget : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal enum JournalKind
    {
        DeleteFile,
        RestoreFile,
        KillProcess,
        DeleteNetem,
        StopDaemon,
        Unmount,
        DeleteFolder,
    }

    private sealed class JournalEntry
    {
        public JournalKind Kind { get; set; }
        public string Path { get; set; } = string.Empty;
        public string? Backup { get; set; }
        public string? Sha256 { get; set; }
        public int Pid { get; set; }
        public long StartTicks { get; set; }
        public string? Handle { get; set; }
        public string? NetNamespace { get; set; }
    }

    private sealed class JournalFile
    {
        public string ResultId { get; set; } = string.Empty;
        public int OwnerPid { get; set; }
        public long OwnerStart { get; set; }
        public List<JournalEntry> Entries { get; set; } = [];
    }
}
