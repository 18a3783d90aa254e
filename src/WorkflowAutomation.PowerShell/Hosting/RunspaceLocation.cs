using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// Reads and sets a runspace's location cheaply. Asking PowerShell for a location's provider
/// path checks its drive, which on Linux reads the whole mount table (a millisecond or more
/// on a busy machine); on the file system's root drive the location's path already is the
/// provider path, so that is read instead.
/// </summary>
internal static class RunspaceLocation
{
    /// <summary>The file system folder of a location, or null when it is not in the file system.</summary>
    public static string? FolderOf(PathInfo location) =>
        location.Provider.Name != "FileSystem" ? null
        : location.Drive is { Root: "/" } ? location.Path
        : location.ProviderPath;

    /// <summary>Sets the runspace's location, unless it is there already (setting it costs about a millisecond).</summary>
    public static void MoveTo(Runspace runspace, string directory)
    {
        if (FolderOf(runspace.SessionStateProxy.Path.CurrentLocation) is { } current
            && string.Equals(Path.TrimEndingDirectorySeparator(current), Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)),
                OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            return;
        }
        runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(directory));
    }
}
