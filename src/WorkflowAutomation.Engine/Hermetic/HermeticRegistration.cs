using System.Text.Json;
using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Hermetic;

/// <summary>What the state directory knows of a named environment: its manifest and the tree it uses.</summary>
public sealed class HermeticRegistration
{
    public required string Name { get; init; }
    public required string ManifestPath { get; init; }
    /// <summary>The installed tree (a lock key); null before anything was installed.</summary>
    public string? Tree { get; init; }
    public DateTimeOffset Created { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static HermeticRegistration? Load(HermeticPaths paths, string name)
    {
        if (!HermeticNames.IsValid(name))
        {
            return null;
        }
        var file = paths.Registration(name);
        return File.Exists(file) ? JsonSerializer.Deserialize<HermeticRegistration>(File.ReadAllText(file), Json) : null;
    }

    public static HermeticRegistration Require(HermeticPaths paths, string name)
    {
        HermeticNames.Validate(name);
        return Load(paths, name) ?? throw new HermeticException(ErrorIds.HermeticEnvironmentNotFound, ErrorKind.ObjectNotFound,
            $"There is no hermetic environment '{name}'. Create it with New-HermeticEnvironment -Name {name}, restore it from its manifest with Restore-HermeticEnvironment -Path <folder>, or list them with Get-HermeticEnvironment.");
    }

    public static IEnumerable<HermeticRegistration> All(HermeticPaths paths) =>
        Directory.Exists(paths.Environments)
            ? Directory.GetDirectories(paths.Environments).Select(folder => Load(paths, Path.GetFileName(folder))).OfType<HermeticRegistration>().OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            : [];

    public void Save(HermeticPaths paths)
    {
        OwnerOnly.CreateDirectory(paths.EnvironmentFolder(Name));
        OwnerOnly.WriteAllText(paths.Registration(Name), JsonSerializer.Serialize(this, Json));
    }
}
