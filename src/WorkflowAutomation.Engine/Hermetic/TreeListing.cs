using System.Security.Cryptography;
using System.Text;

namespace WorkflowAutomation.Hermetic;

/// <summary>What kind of entry a tree holds.</summary>
public enum TreeEntryKind
{
    File,
    Directory,
    SymbolicLink,
}

/// <summary>One entry of a tree: relative path ('/' separated), kind, executable bit, size and sha512 (hex).</summary>
public sealed record TreeEntry(string Path, TreeEntryKind Kind, bool Executable, long Size, string Hash, string? LinkTarget)
{
    /// <summary>The file's modification time when scanned (not part of the listing or of equality).</summary>
    public long Ticks { get; init; }

    public bool Equals(TreeEntry? other) =>
        other is not null && Path == other.Path && Kind == other.Kind && Executable == other.Executable && Size == other.Size && Hash == other.Hash && LinkTarget == other.LinkTarget;

    public override int GetHashCode() => HashCode.Combine(Path, Kind, Executable, Size, Hash, LinkTarget);
}

/// <summary>What a clean verify saw of a file: size, modification time and hash.</summary>
public readonly record struct FileStamp(long Size, long Ticks, string Hash);

/// <summary>A difference between two trees, by path.</summary>
public sealed record TreeDifference(string Path, HermeticDriftKind Kind, string? Expected, string? Actual);

/// <summary>
/// Every entry of an installed tree with its sha512, in ordinal path order, as text (one
/// entry a line). Its own sha512 is the tree's digest: equal digests mean identical trees.
/// </summary>
public sealed class TreeListing
{
    private TreeListing(List<TreeEntry> entries, string text)
    {
        Entries = entries;
        Text = text;
        Digest = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }

    public IReadOnlyList<TreeEntry> Entries { get; }

    public string Text { get; }

    public string Digest { get; }

    public long Bytes => Entries.Sum(entry => entry.Size);

    /// <summary>Reads and hashes a folder (files in parallel); symbolic links are recorded, not followed.</summary>
    public static TreeListing Scan(string root) => Scan(root, null);

    /// <summary>
    /// As <see cref="Scan(string)"/>, but a file whose size and modification time match
    /// <paramref name="known"/> (recorded at the last clean verify) keeps its recorded hash
    /// instead of being read again, the way git trusts its index; every other file is hashed.
    /// </summary>
    public static TreeListing Scan(string root, IReadOnlyDictionary<string, FileStamp>? known)
    {
        var entries = new List<TreeEntry>();
        if (!Directory.Exists(root))
        {
            return FromEntries(entries);
        }
        var files = new List<(string Relative, FileInfo Info)>();
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        // Walked by hand: the enumerator's own recursion follows symbolic links to folders (a venv's lib64).
        while (pending.Count > 0)
        {
            foreach (var info in pending.Pop().EnumerateFileSystemInfos("*", options))
            {
                var relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
                if (info.LinkTarget is { } target)
                {
                    entries.Add(new TreeEntry(relative, TreeEntryKind.SymbolicLink, false, 0, string.Empty, target));
                }
                else if (info is DirectoryInfo directory)
                {
                    entries.Add(new TreeEntry(relative, TreeEntryKind.Directory, false, 0, string.Empty, null));
                    pending.Push(directory);
                }
                else if (info is FileInfo file)
                {
                    files.Add((relative, file));
                }
            }
        }
        var hashed = new TreeEntry[files.Count];
        System.Threading.Tasks.Parallel.For(0, files.Count, index =>
        {
            var (relative, file) = files[index];
            var ticks = file.LastWriteTimeUtc.Ticks;
            var hash = known is not null && known.TryGetValue(relative, out var stamp) && stamp.Size == file.Length && stamp.Ticks == ticks
                ? stamp.Hash
                : HashFile(file.FullName);
            hashed[index] = new TreeEntry(relative, TreeEntryKind.File, IsExecutable(file.FullName), file.Length, hash, null) { Ticks = ticks };
        });
        entries.AddRange(hashed);
        return FromEntries(entries);
    }

    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        return Convert.ToHexString(SHA512.HashData(stream)).ToLowerInvariant();
    }

    private static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;

    public static TreeListing FromEntries(IEnumerable<TreeEntry> entries)
    {
        var sorted = entries.OrderBy(entry => entry.Path, StringComparer.Ordinal).ToList();
        var builder = new StringBuilder();
        foreach (var entry in sorted)
        {
            var kind = entry.Kind switch { TreeEntryKind.File => entry.Executable ? "x" : "f", TreeEntryKind.Directory => "d", _ => "l" };
            builder.Append(kind).Append('\t').Append(entry.Size).Append('\t')
                .Append(entry.Kind == TreeEntryKind.SymbolicLink ? entry.LinkTarget : entry.Hash).Append('\t')
                .Append(entry.Path).Append('\n');
        }
        return new TreeListing(sorted, builder.ToString());
    }

    public static TreeListing Parse(string text)
    {
        var entries = new List<TreeEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t', 4);
            var kind = parts[0] switch { "f" or "x" => TreeEntryKind.File, "d" => TreeEntryKind.Directory, _ => TreeEntryKind.SymbolicLink };
            entries.Add(new TreeEntry(parts[3], kind, parts[0] == "x", long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                kind == TreeEntryKind.SymbolicLink ? string.Empty : parts[2], kind == TreeEntryKind.SymbolicLink ? parts[2] : null));
        }
        return FromEntries(entries);
    }

    /// <summary>What differs from <paramref name="expected"/> to <paramref name="actual"/>: added, missing and changed paths.</summary>
    public static List<TreeDifference> Compare(TreeListing expected, TreeListing actual)
    {
        var differences = new List<TreeDifference>();
        var theirs = actual.Entries.ToDictionary(entry => entry.Path, StringComparer.Ordinal);
        foreach (var entry in expected.Entries)
        {
            if (!theirs.Remove(entry.Path, out var other))
            {
                differences.Add(new TreeDifference(entry.Path, HermeticDriftKind.Missing, Describe(entry), null));
            }
            else if (entry != other)
            {
                differences.Add(new TreeDifference(entry.Path, HermeticDriftKind.Changed, Describe(entry), Describe(other)));
            }
        }
        differences.AddRange(theirs.Values.OrderBy(entry => entry.Path, StringComparer.Ordinal)
            .Select(entry => new TreeDifference(entry.Path, HermeticDriftKind.Added, null, Describe(entry))));
        return differences;
    }

    private static string Describe(TreeEntry entry) => entry.Kind switch
    {
        TreeEntryKind.File => $"{(entry.Executable ? "executable " : string.Empty)}file of {entry.Size} bytes, sha512 {entry.Hash[..16]}…",
        TreeEntryKind.Directory => "folder",
        _ => $"link to {entry.LinkTarget}",
    };
}
