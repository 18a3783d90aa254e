namespace WorkflowAutomation.Hermetic;

/// <summary>One locked package as Get-HermeticEnvironment shows it.</summary>
public sealed class HermeticPackage
{
    public required string Environment { get; init; }
    public required PackageManager Manager { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string? Source { get; init; }
    public string? Integrity { get; init; }

    public override string ToString() => $"{Manager.ToString().ToLowerInvariant()}:{Name}@{Version}";
}

/// <summary>A hermetic environment: where its manifest and lock are, the tree it uses, and its size.</summary>
public sealed class HermeticEnvironment
{
    public required string Name { get; init; }
    public required string ManifestPath { get; init; }
    public required string LockPath { get; init; }
    /// <summary>True when the lock file exists and answers exactly what the manifest asks for.</summary>
    public bool IsLocked { get; init; }
    /// <summary>The installed tree's key (shared by every project with the same lock); null before the first install.</summary>
    public string? Tree { get; init; }
    public string? TreePath { get; init; }
    /// <summary>HOME inside the environment.</summary>
    public required string Home { get; init; }
    /// <summary>The POSIX script to source (". activate"; leave with deactivate_hermetic).</summary>
    public required string ActivateScript { get; init; }
    /// <summary>Every resolved package of the installed tree, transitive ones included.</summary>
    public IReadOnlyList<HermeticPackage> Packages { get; init; } = [];
    public int PackageCount => Packages.Count;
    /// <summary>Bytes of the files in the tree (shared with the cache and other environments by hard links).</summary>
    public long SizeBytes { get; init; }
    /// <summary>Bytes of the shared cache that serves every environment.</summary>
    public long CacheSizeBytes { get; init; }

    public override string ToString() => Name;
}

/// <summary>What Clear-HermeticCache did.</summary>
public sealed class HermeticCacheInfo
{
    public required string Path { get; init; }
    public long FreedBytes { get; init; }
    public int TreesRemoved { get; init; }
    public long SizeBytes { get; init; }
}

/// <summary>Progress of a long operation (installs, restores), for progress bars.</summary>
public sealed record HermeticProgress(string Activity, string Status, int PercentComplete);
