using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>
/// .NET tools in a tool path (tree/dotnet), installed by dotnet tool install. The lock
/// keeps the sha512 NuGet itself records for each package (.nupkg.sha512); a restore
/// installs the exact version and refuses a package whose hash differs.
/// </summary>
internal sealed class DotnetToolManager : IManagerDriver
{
    public PackageManager Kind => PackageManager.Dotnet;

    public ManagerLock Install(ManagerContext context, IReadOnlyDictionary<string, string> requested, ManagerLock? previous)
    {
        var result = new ManagerLock { Requested = new SortedDictionary<string, string>(requested.ToDictionary(), StringComparer.Ordinal) };
        foreach (var (name, version) in requested)
        {
            // An unchanged request keeps its locked version.
            var pinned = previous?.Requested.GetValueOrDefault(name) == version ? previous.Packages.FirstOrDefault(p => Same(p.Name, name))?.Version : null;
            InstallOne(context, name, pinned ?? (version is "" or "*" ? null : version));
            result.Packages.Add(Describe(context, name));
        }
        result.Tools["dotnet"] = context.Tools.Version(Dotnet(context), context.Environment) ?? "unknown";
        return result;
    }

    public void Restore(ManagerContext context, ManagerLock locked)
    {
        foreach (var package in locked.Packages)
        {
            InstallOne(context, package.Name, package.Version);
            var installed = Describe(context, package.Name);
            if (installed.Integrity != package.Integrity)
            {
                throw new HermeticException(ErrorIds.HermeticIntegrityMismatch, ErrorKind.InvalidData,
                    $"The .NET tool {package.Name} {package.Version} from the source does not match the lock's sha512: the package changed since it was locked. Nothing was installed.");
            }
        }
    }

    public string? ResolvedVersion(ManagerLock locked, string name) => locked.Packages.FirstOrDefault(p => Same(p.Name, name))?.Version;

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Dotnet(ManagerContext context) =>
        context.Tools.Require(context.Tools.Dotnet, "dotnet", "Install the .NET SDK (https://dot.net).");

    private static void InstallOne(ManagerContext context, string name, string? version)
    {
        Directory.CreateDirectory(context.Folder);
        var arguments = new List<string> { "tool", "install", name, "--tool-path", context.Folder };
        if (version is not null)
        {
            arguments.AddRange(["--version", version]);
        }
        foreach (var source in context.Sources)
        {
            arguments.AddRange(["--add-source", source]);
        }
        var environment = new Dictionary<string, string>(context.Environment)
        {
            ["NUGET_PACKAGES"] = Path.Combine(context.Cache, "packages"),
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(context.Cache, "http"),
        };
        context.Report?.Invoke($"dotnet tool install {name} {version}");
        ToolRunner.RunChecked($"dotnet tool install {name}", Dotnet(context), arguments, environment, context.Scratch, context.Cancellation);
        // Restore bookkeeping with absolute paths of the build folder; the tool does not read it.
        foreach (var assets in Directory.GetFiles(Path.Combine(context.Folder, ".store"), "project.assets.json", SearchOption.AllDirectories))
        {
            File.Delete(assets);
        }
        var stage = Path.Combine(context.Folder, ".store", ".stage");
        if (Directory.Exists(stage))
        {
            Directory.Delete(stage, recursive: true);
        }
    }

    private static LockedPackage Describe(ManagerContext context, string name)
    {
        var store = Path.Combine(context.Folder, ".store", name.ToLowerInvariant());
        var versionFolder = Directory.GetDirectories(store).Single();
        var version = Path.GetFileName(versionFolder);
        var hashFile = Directory.GetFiles(versionFolder, "*.nupkg.sha512", SearchOption.AllDirectories).Single();
        var metadata = Directory.GetFiles(versionFolder, ".nupkg.metadata", SearchOption.AllDirectories).FirstOrDefault();
        var source = metadata is null ? string.Empty
            : System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metadata))?["source"]?.GetValue<string>() ?? string.Empty;
        return new LockedPackage
        {
            Name = name,
            Version = version,
            Source = source,
            Integrity = "sha512-" + File.ReadAllText(hashFile).Trim(),
        };
    }
}
