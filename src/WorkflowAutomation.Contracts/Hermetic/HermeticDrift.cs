namespace WorkflowAutomation.Hermetic;

/// <summary>How an environment differs from its lock.</summary>
public enum HermeticDriftKind
{
    /// <summary>The manifest has no lock yet.</summary>
    NotLocked,
    /// <summary>The manifest asks for something the lock does not answer.</summary>
    LockOutOfDate,
    /// <summary>The environment's tree is not installed (run Restore-HermeticEnvironment).</summary>
    NotInstalled,
    /// <summary>A file of the lock is not in the tree.</summary>
    Missing,
    /// <summary>A file in the tree is not in the lock.</summary>
    Added,
    /// <summary>A file differs from the lock (content, mode or link target).</summary>
    Changed,
    /// <summary>A tool (node, python, dotnet, pwsh) has another version than the one that built the tree.</summary>
    ToolVersion,
    /// <summary>A rebuild from the lock gave a different tree.</summary>
    NotReproducible,
}

/// <summary>One finding of Test-HermeticEnvironment.</summary>
public sealed class HermeticDrift
{
    public required string Environment { get; init; }
    /// <summary>The manager concerned, or null for the environment as a whole.</summary>
    public PackageManager? Manager { get; init; }
    public required HermeticDriftKind Kind { get; init; }
    /// <summary>The path inside the manager's tree (node_modules/…, venv/lib/…), or the tool or package name.</summary>
    public string? Path { get; init; }
    public string? Expected { get; init; }
    public string? Actual { get; init; }
    public required string Message { get; init; }

    public override string ToString() => Message;
}
