using WorkflowAutomation.Platform;
namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Where environments live in the state directory (its 'environments' folder): environments/envs/&lt;name&gt; (the
/// registration, HOME, wrappers, activate), environments/trees/&lt;lock key&gt; (installed
/// trees, shared by every project with the same lock) and environments/cache (the
/// content-addressed store and the managers' download caches).
/// </summary>
public sealed class HermeticPaths(string root)
{
    /// <summary>The state directory's environments folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    public string Environments => Path.Combine(Root, "envs");

    public string Trees => Path.Combine(Root, "trees");

    public string Cache => Path.Combine(Root, "cache");

    public string EnvironmentFolder(string name) => Path.Combine(Environments, name);

    public string Registration(string name) => Path.Combine(EnvironmentFolder(name), "environment.json");

    public string Home(string name) => Path.Combine(EnvironmentFolder(name), "home");

    public string Bin(string name) => Path.Combine(EnvironmentFolder(name), "bin");

    public string Activate(string name) => Path.Combine(EnvironmentFolder(name), "activate");

    public string Tree(string key) => Path.Combine(Trees, key);

    /// <summary>Every manager's own download cache, shared by all environments.</summary>
    public string ManagerCache(PackageManager manager) => Path.Combine(Cache, PackageManagerNames.Of(manager));

    public ContentStore Store => new(Path.Combine(Cache, "store"));

    /// <summary>Creates the owner-only folders.</summary>
    public HermeticPaths EnsureCreated()
    {
        foreach (var folder in new[] { Root, Environments, Trees, Cache })
        {
            OwnerOnly.CreateDirectory(folder);
        }
        return this;
    }
}
