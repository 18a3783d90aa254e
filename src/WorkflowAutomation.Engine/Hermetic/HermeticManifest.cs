using System.Text;
using System.Text.Json;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// What an environment asks for, kept in the user's repository (hermetic.json): packages
/// per manager with a version or range, and the sources to fetch them from. Written with
/// sorted keys so that a change is a one-line diff.
/// </summary>
public sealed class HermeticManifest
{
    public const string FileName = "hermetic.json";

    public required string Name { get; init; }

    /// <summary>The manifest file; relative sources are relative to its folder.</summary>
    public required string Path { get; init; }

    /// <summary>Requested packages per manager: name to version ("" or "*" means the newest).</summary>
    public SortedDictionary<PackageManager, SortedDictionary<string, string>> Packages { get; init; } = new();

    /// <summary>
    /// Sources per manager: npm a registry URL; pip index URLs and --find-links folders (no
    /// index is used unless one is listed, so nothing is fetched from a place the manifest
    /// does not name); dotnet a NuGet source; psmodule a PSResourceGet repository folder or URL.
    /// </summary>
    public SortedDictionary<PackageManager, List<string>> Sources { get; init; } = new();

    /// <summary>The lock that sits next to the manifest.</summary>
    public string LockPath => System.IO.Path.Combine(Folder, HermeticLock.FileName);

    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    public IReadOnlyDictionary<string, string> Requested(PackageManager manager) =>
        Packages.TryGetValue(manager, out var packages) ? packages : new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Sources of a manager with folders made absolute (relative to the manifest).</summary>
    public IReadOnlyList<string> ResolvedSources(PackageManager manager) =>
        Sources.TryGetValue(manager, out var sources)
            ? sources.Select(source => source.Contains("://", StringComparison.Ordinal) ? source : System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, source))).ToList()
            : [];

    public HermeticManifest WithPackage(PackageManager manager, string name, string version)
    {
        var packages = Clone();
        if (!packages.TryGetValue(manager, out var entries))
        {
            packages[manager] = entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        }
        entries[name] = version;
        return new HermeticManifest { Name = Name, Path = Path, Packages = packages, Sources = Sources };
    }

    public HermeticManifest WithSource(PackageManager manager, string source)
    {
        var sources = new SortedDictionary<PackageManager, List<string>>(Sources.ToDictionary(pair => pair.Key, pair => pair.Value.ToList()));
        if (!sources.TryGetValue(manager, out var list))
        {
            sources[manager] = list = [];
        }
        if (!list.Contains(source, StringComparer.Ordinal))
        {
            list.Add(source);
        }
        return new HermeticManifest { Name = Name, Path = Path, Packages = Packages, Sources = sources };
    }

    private SortedDictionary<PackageManager, SortedDictionary<string, string>> Clone() =>
        new(Packages.ToDictionary(pair => pair.Key, pair => new SortedDictionary<string, string>(pair.Value, StringComparer.Ordinal)));

    public static HermeticManifest Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new HermeticException(ErrorIds.HermeticManifestNotFound, ErrorKind.ObjectNotFound,
                $"The manifest '{full}' does not exist. Create it with New-HermeticEnvironment -Name <name> -Path {System.IO.Path.GetDirectoryName(full)}.");
        }
        var text = File.ReadAllText(full);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            throw Invalid(full, (int)(exception.LineNumber ?? 0) + 1, $"it is not valid JSON ({exception.Message.Split(" Path:")[0]})");
        }
        using (document)
        {
            return Read(full, text, document.RootElement);
        }
    }

    private static HermeticManifest Read(string path, string text, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, 1, "it must be a JSON object with 'name' and 'packages'");
        }
        string? name = null;
        var packages = new SortedDictionary<PackageManager, SortedDictionary<string, string>>();
        var sources = new SortedDictionary<PackageManager, List<string>>();
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name":
                    name = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    break;
                case "packages":
                    foreach (var (manager, value) in Managers(path, text, property.Value, "packages"))
                    {
                        if (value.ValueKind != JsonValueKind.Object)
                        {
                            throw Invalid(path, LineOf(text, PackageManagerNames.Of(manager)), $"'packages.{PackageManagerNames.Of(manager)}' must map package names to versions, such as {{ \"express\": \"4.21.2\" }}");
                        }
                        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
                        foreach (var package in value.EnumerateObject())
                        {
                            if (package.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            {
                                throw Invalid(path, LineOf(text, package.Name), $"the version of '{package.Name}' must be a string (\"\" for the newest)");
                            }
                            entries[package.Name] = package.Value.GetString() ?? string.Empty;
                        }
                        packages[manager] = entries;
                    }
                    break;
                case "sources":
                    foreach (var (manager, value) in Managers(path, text, property.Value, "sources"))
                    {
                        sources[manager] = value.ValueKind switch
                        {
                            JsonValueKind.String => [value.GetString()!],
                            JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
                                value.EnumerateArray().Select(item => item.GetString()!).ToList(),
                            _ => throw Invalid(path, LineOf(text, PackageManagerNames.Of(manager)), $"'sources.{PackageManagerNames.Of(manager)}' must be a URL or folder, or a list of them"),
                        };
                    }
                    break;
                default:
                    throw Invalid(path, LineOf(text, property.Name), $"'{property.Name}' is not a manifest key (expected name, packages, sources)");
            }
        }
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid(path, LineOf(text, "name"), "'name' is missing or empty");
        }
        HermeticNames.Validate(name);
        return new HermeticManifest { Name = name, Path = path, Packages = packages, Sources = sources };
    }

    private static IEnumerable<(PackageManager, JsonElement)> Managers(string path, string text, JsonElement value, string key)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, LineOf(text, key), $"'{key}' must be an object keyed by manager ({PackageManagerNames.All})");
        }
        foreach (var property in value.EnumerateObject())
        {
            if (!PackageManagerNames.TryParse(property.Name, out var manager))
            {
                throw Invalid(path, LineOf(text, property.Name), $"'{property.Name}' in '{key}' is not a known manager; use one of {PackageManagerNames.All}");
            }
            yield return (manager, property.Value);
        }
    }

    private static int LineOf(string text, string key)
    {
        var index = text.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
        return index < 0 ? 1 : text.AsSpan(0, index).Count('\n') + 1;
    }

    private static HermeticException Invalid(string path, int line, string what) =>
        new(ErrorIds.HermeticManifestInvalid, ErrorKind.InvalidData, $"{path}:{line}: the manifest is invalid: {what}. Fix the file and run the command again.");

    /// <summary>Writes the manifest atomically, keys sorted, one package a line.</summary>
    public void Save()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", Name);
            writer.WriteStartObject("packages");
            foreach (var (manager, entries) in Packages)
            {
                writer.WriteStartObject(PackageManagerNames.Of(manager));
                foreach (var (package, version) in entries)
                {
                    writer.WriteString(package, version);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            if (Sources.Count > 0)
            {
                writer.WriteStartObject("sources");
                foreach (var (manager, list) in Sources)
                {
                    writer.WriteStartArray(PackageManagerNames.Of(manager));
                    foreach (var source in list)
                    {
                        writer.WriteStringValue(source);
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        AtomicFile.Write(Path, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }
}
