using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>One resolved artifact: exact version, where it came from and its sha512 integrity.</summary>
public sealed class LockedPackage
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    /// <summary>The URL, file name or repository the artifact came from.</summary>
    public string Source { get; init; } = string.Empty;
    /// <summary>Subresource-integrity form: sha512-&lt;base64&gt;.</summary>
    public string Integrity { get; init; } = string.Empty;
    /// <summary>Where it sits in the manager's tree (npm: node_modules/a/node_modules/b), when it matters.</summary>
    public string? Path { get; init; }
}

/// <summary>What one manager resolved: the request it answers, every artifact, and the installed tree's digest.</summary>
public sealed class ManagerLock
{
    public SortedDictionary<string, string> Requested { get; init; } = new(StringComparer.Ordinal);
    public List<LockedPackage> Packages { get; init; } = [];
    /// <summary>sha512 (hex) of the installed tree's listing (every file's path, mode and sha512).</summary>
    public string TreeDigest { get; set; } = string.Empty;
    /// <summary>Versions of the tools that built the tree (node, npm, python, dotnet, pwsh).</summary>
    public SortedDictionary<string, string> Tools { get; init; } = new(StringComparer.Ordinal);
    /// <summary>The manager's own lock, kept verbatim (npm's package-lock.json).</summary>
    public JsonNode? Native { get; init; }
}

/// <summary>
/// What an environment resolved to (hermetic.lock.json, next to the manifest): per manager,
/// exact versions, sources and sha512 integrity of every artifact, transitive ones
/// included. Stable in order; a restore reproduces it exactly or fails.
/// </summary>
public sealed class HermeticLock
{
    public const string FileName = "hermetic.lock.json";

    /// <summary>The format this version writes; a newer lock is refused rather than misread.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Indented, and '+' or '&lt;' left as they are (integrity strings stay readable in diffs).</summary>
    internal static readonly JsonSerializerOptions JsonText = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Name { get; init; }
    public SortedDictionary<PackageManager, ManagerLock> Managers { get; init; } = new();

    /// <summary>
    /// Identifies the tree: two projects whose locks resolve the same artifacts share one
    /// tree in the state directory (the name is left out on purpose).
    /// </summary>
    public string TreeKey()
    {
        var text = Serialize(includeName: false);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32].ToLowerInvariant();
    }

    /// <summary>Differences between what the manifest asks for and what this lock answers; empty when they match.</summary>
    public List<string> Mismatches(HermeticManifest manifest)
    {
        var problems = new List<string>();
        foreach (var manager in Enum.GetValues<PackageManager>())
        {
            var asked = manifest.Requested(manager);
            var locked = Managers.TryGetValue(manager, out var section) ? section.Requested : new SortedDictionary<string, string>(StringComparer.Ordinal);
            var label = PackageManagerNames.Of(manager);
            foreach (var (name, version) in asked)
            {
                if (!locked.TryGetValue(name, out var lockedVersion))
                {
                    problems.Add($"the manifest asks for {label} '{name}' ({Show(version)}) which the lock does not have");
                }
                else if (lockedVersion != version)
                {
                    problems.Add($"the manifest asks for {label} '{name}' {Show(version)} but the lock was made for {Show(lockedVersion)}");
                }
            }
            foreach (var name in locked.Keys.Where(name => !asked.ContainsKey(name)))
            {
                problems.Add($"the lock has {label} '{name}' which the manifest no longer asks for");
            }
        }
        return problems;
    }

    private static string Show(string version) => version.Length == 0 ? "any version" : version;

    public string Serialize(bool includeName = true)
    {
        var root = new JsonObject { ["lockVersion"] = CurrentFormat };
        if (includeName)
        {
            root["name"] = Name;
        }
        var managers = new JsonObject();
        foreach (var (manager, section) in Managers)
        {
            var packages = new JsonArray();
            foreach (var package in section.Packages.OrderBy(p => p.Path ?? p.Name, StringComparer.Ordinal).ThenBy(p => p.Version, StringComparer.Ordinal))
            {
                var item = new JsonObject { ["name"] = package.Name, ["version"] = package.Version };
                if (package.Path is not null)
                {
                    item["path"] = package.Path;
                }
                item["source"] = package.Source;
                item["integrity"] = package.Integrity;
                packages.Add(item);
            }
            var node = new JsonObject
            {
                ["requested"] = ToObject(section.Requested),
                ["tools"] = ToObject(section.Tools),
                ["tree"] = section.TreeDigest,
                ["packages"] = packages,
            };
            if (section.Native is not null)
            {
                node["native"] = section.Native.DeepClone();
            }
            managers[PackageManagerNames.Of(manager)] = node;
        }
        root["managers"] = managers;
        return root.ToJsonString(JsonText) + "\n";
    }

    private static JsonObject ToObject(SortedDictionary<string, string> values)
    {
        var result = new JsonObject();
        foreach (var (key, value) in values)
        {
            result[key] = value;
        }
        return result;
    }

    public void Save(string path) => AtomicFile.Write(path, Serialize());

    public static HermeticLock Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new HermeticException(ErrorIds.HermeticLockNotFound, ErrorKind.ObjectNotFound,
                $"There is no lock '{path}'. Run Lock-HermeticEnvironment to write it, and commit it with the manifest.");
        }
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new HermeticException(ErrorIds.HermeticLockInvalid, ErrorKind.InvalidData,
                $"{path}: the lock cannot be read ({exception.Message.Split(" Path:")[0]}). Restore it from version control or run Lock-HermeticEnvironment again.", exception);
        }
    }

    public static HermeticLock Parse(string text, string path)
    {
        var root = JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException("it is empty");
        var format = root["lockVersion"]?.GetValue<int>() ?? throw new InvalidOperationException("'lockVersion' is missing");
        if (format > CurrentFormat)
        {
            throw new HermeticException(ErrorIds.HermeticLockFormatNewer, ErrorKind.InvalidData,
                $"{path}: the lock has format {format}, newer than the {CurrentFormat} this version of WorkflowAutomation reads. Update the WorkflowAutomation module (Update-PSResource WorkflowAutomation).");
        }
        var result = new HermeticLock { Name = root["name"]?.GetValue<string>() ?? throw new InvalidOperationException("'name' is missing") };
        foreach (var (key, value) in root["managers"]?.AsObject() ?? new JsonObject())
        {
            if (!PackageManagerNames.TryParse(key, out var manager))
            {
                throw new InvalidOperationException($"'{key}' is not a known manager ({PackageManagerNames.All})");
            }
            var section = value!.AsObject();
            var managerLock = new ManagerLock
            {
                Requested = ToDictionary(section["requested"]),
                Tools = ToDictionary(section["tools"]),
                TreeDigest = section["tree"]?.GetValue<string>() ?? string.Empty,
                Native = section["native"]?.DeepClone(),
            };
            foreach (var item in section["packages"]?.AsArray() ?? [])
            {
                managerLock.Packages.Add(new LockedPackage
                {
                    Name = item!["name"]!.GetValue<string>(),
                    Version = item["version"]!.GetValue<string>(),
                    Path = item["path"]?.GetValue<string>(),
                    Source = item["source"]?.GetValue<string>() ?? string.Empty,
                    Integrity = item["integrity"]?.GetValue<string>() ?? string.Empty,
                });
            }
            result.Managers[manager] = managerLock;
        }
        return result;
    }

    private static SortedDictionary<string, string> ToDictionary(JsonNode? node)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in node?.AsObject() ?? new JsonObject())
        {
            result[key] = value?.GetValue<string>() ?? string.Empty;
        }
        return result;
    }
}
