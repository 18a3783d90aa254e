using System.Text.Json.Nodes;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>
/// npm packages in tree/npm/node_modules. npm resolves and writes its own
/// package-lock.json, which the lock keeps verbatim; a restore is npm ci from it (npm
/// checks every tarball's sha512 integrity itself). Install scripts never run.
/// </summary>
internal sealed class NpmManager : IManagerDriver
{
    public PackageManager Kind => PackageManager.Npm;

    public ManagerLock Install(ManagerContext context, IReadOnlyDictionary<string, string> requested, ManagerLock? previous)
    {
        Directory.CreateDirectory(context.Folder);
        WritePackageJson(context.Folder, requested);
        if (previous?.Native is { } lockFile)
        {
            // npm keeps the versions it locked before and resolves only what is new.
            File.WriteAllText(Path.Combine(context.Folder, "package-lock.json"), lockFile.ToJsonString());
        }
        context.Report?.Invoke("npm install " + string.Join(' ', requested.Keys));
        Npm(context, "npm install", ["install", .. Common(context)]);
        return Read(context, requested);
    }

    public void Restore(ManagerContext context, ManagerLock locked)
    {
        Directory.CreateDirectory(context.Folder);
        WritePackageJson(context.Folder, locked.Requested);
        var native = locked.Native ?? throw new HermeticException(ErrorIds.HermeticLockInvalid, ErrorKind.InvalidData,
            "The lock's npm section has no package-lock.json ('native'). Run Lock-HermeticEnvironment again.");
        WriteLockFile(context.Folder, native);
        context.Report?.Invoke("npm ci");
        // npm ci never changes package-lock.json: it fails when it does not match package.json.
        Npm(context, "npm ci", ["ci", "--prefer-offline", .. Common(context)]);
    }

    public string? ResolvedVersion(ManagerLock locked, string name) =>
        locked.Packages.FirstOrDefault(p => p.Path == "node_modules/" + name)?.Version;

    private static IEnumerable<string> Common(ManagerContext context)
    {
        yield return "--ignore-scripts";
        yield return "--no-audit";
        yield return "--no-fund";
        yield return "--loglevel=error";
        yield return "--cache";
        yield return context.Cache;
        if (context.Sources.FirstOrDefault() is { } registry)
        {
            yield return "--registry";
            yield return registry;
        }
    }

    private static void Npm(ManagerContext context, string what, string[] arguments)
    {
        var npm = context.Tools.Require(context.Tools.Npm, "npm", "Install Node.js and npm (Debian: apt-get install nodejs npm).");
        ToolRunner.RunChecked(what, npm, arguments, context.Environment, context.Folder, context.Cancellation);
    }

    private static void WriteLockFile(string folder, JsonNode lockFile) =>
        File.WriteAllText(Path.Combine(folder, "package-lock.json"), lockFile.ToJsonString(HermeticLock.JsonText) + "\n");

    private static void WritePackageJson(string folder, IReadOnlyDictionary<string, string> requested)
    {
        var dependencies = new JsonObject();
        foreach (var (name, version) in requested.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            dependencies[name] = version;
        }
        var package = new JsonObject
        {
            ["name"] = "hermetic-environment",
            ["version"] = "0.0.0",
            ["private"] = true,
            ["dependencies"] = dependencies,
        };
        File.WriteAllText(Path.Combine(folder, "package.json"), package.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private ManagerLock Read(ManagerContext context, IReadOnlyDictionary<string, string> requested)
    {
        var lockFile = JsonNode.Parse(File.ReadAllText(Path.Combine(context.Folder, "package-lock.json")))!;
        // Written back in the form a restore writes it, so that both trees hash the same.
        WriteLockFile(context.Folder, lockFile);
        var result = new ManagerLock
        {
            Requested = new SortedDictionary<string, string>(requested.ToDictionary(), StringComparer.Ordinal),
            Native = lockFile,
        };
        foreach (var (path, value) in lockFile["packages"]?.AsObject() ?? new JsonObject())
        {
            if (path.Length == 0 || value is null)
            {
                continue;
            }
            var name = value["name"]?.GetValue<string>() ?? path[(path.LastIndexOf("node_modules/", StringComparison.Ordinal) + "node_modules/".Length)..];
            result.Packages.Add(new LockedPackage
            {
                Name = name,
                Version = value["version"]?.GetValue<string>() ?? string.Empty,
                Path = path,
                Source = value["resolved"]?.GetValue<string>() ?? string.Empty,
                Integrity = value["integrity"]?.GetValue<string>() ?? string.Empty,
            });
        }
        if (context.Tools.Node is { } node && context.Tools.Version(node, context.Environment) is { } version)
        {
            result.Tools["node"] = version;
        }
        return result;
    }
}
