using System.Globalization;

namespace WorkflowAutomation.Workflows;

/// <summary>
/// Bounds on what a workflow file may hold, so that no file (typed in a session or submitted
/// to the daemon) can hang or exhaust the process that validates it. Each is far above what
/// a real workflow needs.
/// </summary>
public static class WorkflowLimits
{
    /// <summary>The largest workflow file: 4 MiB.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>The most YAML nodes a file may stand for, counting each alias as a copy of its anchored value.</summary>
    public const int MaxNodes = 1_000_000;

    internal static string FileTooLarge(long size) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The file is {size:N0} bytes; a workflow file may be at most {MaxFileBytes:N0} bytes (4 MiB). Split it into several workflows.");
}
