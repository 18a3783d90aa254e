using System.Globalization;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// Names the process listening on a TCP port, where the OS tells (Linux /proc; only processes
/// this user may inspect). Used to say who holds the dashboard's port.
/// </summary>
public static class PortHolder
{
    /// <summary>"process 1234 (nginx)", or null when it cannot be told.</summary>
    public static string? Describe(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            var inodes = ListeningInodes(port);
            if (inodes.Count == 0)
            {
                return null;
            }
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), out var pid))
                {
                    continue;
                }
                if (OwnsSocket(process, inodes))
                {
                    var name = File.ReadAllText(Path.Combine(process, "comm")).Trim();
                    return $"process {pid} ({name})";
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is ADDRESS:PORT in hex; state 0A is LISTEN; field 9 is the inode.
                if (fields.Length > 9 && fields[3] == "0A"
                    && int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add(fields[9]);
                }
            }
        }
        return inodes;
    }

    private static bool OwnsSocket(string process, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return false;
    }
}
