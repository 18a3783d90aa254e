using WorkflowAutomation.Common;

namespace WorkflowAutomation.Platform;

/// <summary>
/// The per-user folder that holds configuration, databases, the daemon's socket, logs,
/// hermetic environments and chaos reports. Created owner-only.
/// </summary>
public sealed class StateDirectory
{
    /// <summary>The environment variable that overrides the default location.</summary>
    public const string HomeVariable = "WORKFLOW_AUTOMATION_HOME";

    private const string FolderName = "WorkflowAutomation";

    public StateDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>Absolute path of the state directory.</summary>
    public string Root { get; }

    public string ConfigurationFile => Path.Combine(Root, "workflow.conf");
    public string RunsDatabase => Path.Combine(Root, "runs.db");
    public string MetricsDatabase => Path.Combine(Root, "metrics.db");
    public string MetricsInbox => Path.Combine(Root, "metrics-inbox");
    public string LogsFolder => Path.Combine(Root, "logs");
    public string WorkflowsFolder => Path.Combine(Root, "workflows");
    public string DaemonFolder => Path.Combine(Root, "daemon");
    public string HermeticFolder => Path.Combine(Root, "environments");
    public string ChaosFolder => Path.Combine(Root, "chaos");
    /// <summary>Step scratch files (outputs, scripts): owner-only, removed with their run, leftovers cleaned on start.</summary>
    public string ScratchFolder => Path.Combine(Root, "scratch");

    /// <summary>
    /// Resolves the state directory: <c>WORKFLOW_AUTOMATION_HOME</c>, else the platform's
    /// per-user state folder. Never the temporary folder, which other users can reach and
    /// which is cleaned behind our back.
    /// </summary>
    public static StateDirectory Resolve(IEnvironment? environment = null)
    {
        environment ??= ProcessEnvironment.Instance;
        var explicitHome = environment.Get(HomeVariable);
        if (!string.IsNullOrWhiteSpace(explicitHome))
        {
            return new StateDirectory(explicitHome);
        }
        return new StateDirectory(Path.Combine(DefaultBase(environment), FolderName));
    }

    private static string DefaultBase(IEnvironment environment)
    {
        if (OperatingSystem.IsWindows())
        {
            return RequireNotTemp(environment.Get("LOCALAPPDATA")
                ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData));
        }
        var home = environment.Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return RequireNotTemp(Path.Combine(home, "Library", "Application Support"));
        }
        var xdg = environment.Get("XDG_STATE_HOME");
        return RequireNotTemp(string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".local", "state") : xdg);
    }

    private static string RequireNotTemp(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || IsUnderTemp(path))
        {
            throw new StateDirectoryException(
                $"No per-user state folder could be found (resolved '{path}'). Set {HomeVariable} to a folder you own.");
        }
        return path;
    }

    private static bool IsUnderTemp(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var temp = Path.GetFullPath(Path.GetTempPath()).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(temp, StringComparison.Ordinal)
            || full.StartsWith("/tmp/", StringComparison.Ordinal);
    }

    /// <summary>Creates the folder (owner-only) if it is missing and returns it.</summary>
    public StateDirectory EnsureCreated()
    {
        OwnerOnly.CreateDirectory(Root);
        return this;
    }

    /// <summary>A path inside a sub-folder of the state directory, created owner-only.</summary>
    public string EnsureFolder(string folder)
    {
        OwnerOnly.CreateDirectory(Root);
        return OwnerOnly.CreateDirectory(folder);
    }

    public override string ToString() => Root;
}

/// <summary>The state directory cannot be used.</summary>
public sealed class StateDirectoryException(string message)
    : WorkflowAutomationException(ErrorIds.StateDirectoryUnavailable, ErrorKind.ResourceUnavailable, message);
