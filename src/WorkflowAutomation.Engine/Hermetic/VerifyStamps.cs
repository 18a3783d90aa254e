using System.Globalization;
using System.Text;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Size, modification time and hash of every file at the last clean verify of an
/// environment, kept beside its registration (not in the shared tree), so that the next
/// verify re-reads only files whose size or time changed. Tied to one listing digest.
/// </summary>
internal static class VerifyStamps
{
    public static Dictionary<string, FileStamp>? Load(string file, string digest)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        var lines = File.ReadAllLines(file);
        if (lines.Length == 0 || lines[0] != digest)
        {
            return null;
        }
        var stamps = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split('\t', 4);
            if (parts.Length == 4)
            {
                stamps[parts[3]] = new FileStamp(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
            }
        }
        return stamps;
    }

    public static void Save(string file, string digest, TreeListing scanned)
    {
        var builder = new StringBuilder(digest).Append('\n');
        foreach (var entry in scanned.Entries.Where(e => e.Kind == TreeEntryKind.File))
        {
            builder.Append(entry.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(entry.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(entry.Hash).Append('\t').Append(entry.Path).Append('\n');
        }
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(file)!);
        OwnerOnly.WriteAllText(file, builder.ToString());
    }
}
