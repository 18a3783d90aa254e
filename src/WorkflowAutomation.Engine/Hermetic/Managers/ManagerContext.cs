namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>What a manager driver works with while it installs or restores into one folder of a tree.</summary>
internal sealed class ManagerContext
{
    /// <summary>The manager's folder in the tree being built (tree/npm, tree/pip …).</summary>
    public required string Folder { get; init; }
    public required HermeticManifest Manifest { get; init; }
    public required HermeticPaths Paths { get; init; }
    public required HostTools Tools { get; init; }
    /// <summary>The isolated variables the manager's tools run with.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    /// <summary>A scratch folder removed afterwards.</summary>
    public required string Scratch { get; init; }
    public required CancellationToken Cancellation { get; init; }
    public Action<string>? Report { get; init; }

    public string Cache => Paths.ManagerCache(Kind);

    public required PackageManager Kind { get; init; }

    public IReadOnlyList<string> Sources => Manifest.ResolvedSources(Kind);
}

/// <summary>One package manager: installs a request (resolving it) or restores a lock (never resolving).</summary>
internal interface IManagerDriver
{
    PackageManager Kind { get; }

    /// <summary>Resolves and installs <paramref name="requested"/> into the context's folder; keeps the pins of <paramref name="previous"/> where it can.</summary>
    ManagerLock Install(ManagerContext context, IReadOnlyDictionary<string, string> requested, ManagerLock? previous);

    /// <summary>Installs exactly what the lock says, checking every artifact's integrity; fails rather than resolve.</summary>
    void Restore(ManagerContext context, ManagerLock locked);

    /// <summary>The resolved version of a top-level package, to pin it in the manifest when no version was asked for.</summary>
    string? ResolvedVersion(ManagerLock locked, string name);
}

internal static class ManagerDrivers
{
    public static IManagerDriver For(PackageManager manager) => manager switch
    {
        PackageManager.Npm => new NpmManager(),
        PackageManager.Pip => new PipManager(),
        PackageManager.Dotnet => new DotnetToolManager(),
        PackageManager.PSModule => new PSModuleManager(),
        _ => throw new ArgumentOutOfRangeException(nameof(manager)),
    };
}

/// <summary>Integrity strings in the subresource-integrity form npm uses: sha512-&lt;base64&gt;.</summary>
internal static class Integrity
{
    public static string Sha512(string file)
    {
        using var stream = File.OpenRead(file);
        return "sha512-" + Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(stream));
    }

    public static string HexToIntegrity(string hex) => "sha512-" + Convert.ToBase64String(Convert.FromHexString(hex));
}
