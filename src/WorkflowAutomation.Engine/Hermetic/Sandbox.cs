using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Runs a command under bubblewrap: the host read-only, the environment's folders and the
/// work folder writable, a private /tmp, and no network unless allowed.
/// </summary>
public static class Sandbox
{
    public static string? Bubblewrap(HostTools tools) => tools.Find("bwrap");

    public static IReadOnlyList<string> Wrap(HostTools tools, IEnumerable<string> writable, bool allowNetwork, string command, IEnumerable<string> arguments)
    {
        var bwrap = Bubblewrap(tools) ?? throw new HermeticException(ErrorIds.HermeticSandboxUnavailable, ErrorKind.ResourceUnavailable,
            "-Sandbox needs bubblewrap (bwrap), which is not installed. Install it (Debian: apt-get install bubblewrap) or run without -Sandbox.");
        var result = new List<string> { bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--die-with-parent" };
        foreach (var folder in writable.Where(Directory.Exists).Distinct(StringComparer.Ordinal))
        {
            result.AddRange(["--bind", folder, folder]);
        }
        if (!allowNetwork)
        {
            result.Add("--unshare-net");
        }
        result.Add("--");
        result.Add(command);
        result.AddRange(arguments);
        return result;
    }
}
