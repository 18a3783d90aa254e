using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Damages a named file (flips bytes, truncates it, or zeroes a page) for the duration, after
/// an owner-only backup and a journal entry, and restores it byte for byte at the end
/// (checked against its SHA-256).
/// </summary>
internal sealed class CorruptionFault : IChaosFault
{
    private const int PageBytes = 4096;
    private readonly string file;
    private readonly CorruptionMode mode;
    private readonly int bytes;
    private readonly Random random;
    private readonly string backupFolder;
    private string? backup;
    private string? originalHash;
    private ChaosTouch? touch;

    public CorruptionFault(string path, CorruptionMode mode, int bytes, Random random, StateDirectory state)
    {
        file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new ChaosException(ErrorIds.ChaosTargetNotFound, ErrorKind.ObjectNotFound,
                $"The file '{file}' does not exist. -Path names the file to corrupt (a SQLite database, a metrics inbox file, an artifact).");
        }
        if (new FileInfo(file).Length == 0)
        {
            throw new ChaosException(ErrorIds.ChaosInvalidArgument, ErrorKind.InvalidArgument, $"The file '{file}' is empty: there is nothing to corrupt.");
        }
        this.mode = mode;
        this.bytes = Math.Max(1, bytes);
        this.random = random;
        backupFolder = RollbackJournal.BackupFolder(state);
    }

    public ChaosFaultType Type => ChaosFaultType.Corruption;

    public string Name => $"Corruption {mode} of {Path.GetFileName(file)}";

    public string Target => file;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["Path"] = file,
        ["Mode"] = mode.ToString(),
        ["Bytes"] = bytes.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan()
    {
        var length = new FileInfo(file).Length;
        var what = mode switch
        {
            CorruptionMode.FlipBytes => $"Flip {Math.Min(bytes, length)} random bytes of {file}",
            CorruptionMode.Truncate => $"Truncate {file} from {length} to {length / 2} bytes",
            _ => $"Zero 4 KiB at offset {ZeroPageOffset(length)} of {file}",
        };
        return [what + $"; a backup goes to {backupFolder} and the file is restored byte for byte at the end"];
    }

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(backupFolder)!);
        OwnerOnly.CreateDirectory(backupFolder);
        backup = Path.Combine(backupFolder, $"{context.Result.Id}-{Guid.NewGuid().ToString("n")[..6]}-{Path.GetFileName(file)}.bak");
        File.Copy(file, backup);
        OwnerOnly.RestrictFile(backup);
        originalHash = RollbackJournal.Hash(file);
        context.Journal.RestoreFileLater(file, backup, originalHash);
        touch = context.Touch("File", file, mode.ToString());
        var changed = Corrupt();
        context.Measure("corruption.bytes_changed", changed, "bytes");
        context.Event("Fault", Name, true, $"{changed} bytes changed; backup {backup}");
        return Task.CompletedTask;
    }

    private long Corrupt()
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var length = stream.Length;
        switch (mode)
        {
            case CorruptionMode.Truncate:
                stream.SetLength(length / 2);
                return length - length / 2;
            case CorruptionMode.ZeroPage:
            {
                var offset = ZeroPageOffset(length);
                var size = (int)Math.Min(PageBytes, length - offset);
                var page = new byte[size];
                stream.Position = offset;
                stream.ReadExactly(page);
                var nonZero = page.Count(b => b != 0);
                stream.Position = offset;
                stream.Write(new byte[size]);
                return nonZero;
            }
            default:
            {
                var positions = new HashSet<long>();
                var count = (int)Math.Min(bytes, length);
                while (positions.Count < count)
                {
                    positions.Add(random.NextInt64(length));
                }
                var one = new byte[1];
                foreach (var position in positions)
                {
                    stream.Position = position;
                    stream.ReadExactly(one);
                    one[0] = (byte)~one[0];
                    stream.Position = position;
                    stream.Write(one);
                }
                return positions.Count;
            }
        }
    }

    /// <summary>The second page when there is one: the first holds a SQLite file's header, which would only make it unreadable.</summary>
    private static long ZeroPageOffset(long length) => length > PageBytes ? PageBytes : 0;

    public void Sample(ChaosContext context, TimeSpan elapsed) =>
        context.Measure("corruption.differs", File.Exists(file) && RollbackJournal.Hash(file) != originalHash ? 1 : 0, "bool");

    public Task RevertAsync(ChaosContext context)
    {
        if (backup is null || originalHash is null)
        {
            return Task.CompletedTask;
        }
        RollbackJournal.RestoreFromBackup(file, backup, originalHash);
        context.Journal.Done(file);
        if (touch is not null)
        {
            touch.Reverted = RollbackJournal.Hash(file) == originalHash;
            touch.Revert = touch.Reverted ? "restored byte for byte (SHA-256 matches)" : "restored, but the hash differs";
        }
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result) =>
        result.Latest("corruption.bytes_changed") is > 0 ? null : $"No byte of {file} changed.";
}
