using System.IO.Compression;
using System.Xml.Linq;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>
/// PowerShell modules in tree/psmodule (first on the environment's PSModulePath). pwsh's
/// PSResourceGet saves the packages (dependencies included) as .nupkg from the
/// manifest's repository (a folder or URL; PSGallery when none is named); the lock keeps
/// each package's sha512, and the module files are unpacked from the verified package.
/// </summary>
internal sealed class PSModuleManager : IManagerDriver
{
    private const string SaveScript = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $source = $env:HERMETIC_PS_SOURCE
        $repository = $source
        if ($source -match '://' -or (Test-Path -LiteralPath $source)) {
            Register-PSResourceRepository -Name HermeticSource -Uri $source -Trusted -Force
            $repository = 'HermeticSource'
        }
        foreach ($line in $env:HERMETIC_PS_PACKAGES -split "`n") {
            if (-not $line) { continue }
            $name, $version = $line -split '\|', 2
            $parameters = @{ Name = $name; Repository = $repository; Path = $env:HERMETIC_PS_DESTINATION; AsNupkg = $true; TrustRepository = $true }
            if ($version -and $version -ne '*') { $parameters.Version = $version }
            if ($env:HERMETIC_PS_EXACT) { $parameters.SkipDependencyCheck = $true }
            Save-PSResource @parameters
        }
        """;

    public PackageManager Kind => PackageManager.PSModule;

    public ManagerLock Install(ManagerContext context, IReadOnlyDictionary<string, string> requested, ManagerLock? previous)
    {
        var downloads = Save(context, requested.Select(pair => (pair.Key, pair.Value)), exact: false);
        var result = new ManagerLock { Requested = new SortedDictionary<string, string>(requested.ToDictionary(), StringComparer.Ordinal) };
        foreach (var file in Directory.GetFiles(downloads, "*.nupkg").OrderBy(f => f, StringComparer.Ordinal))
        {
            var (id, version) = ReadNuspec(file);
            var package = new LockedPackage { Name = id, Version = version, Source = Path.GetFileName(file), Integrity = Integrity.Sha512(file) };
            Keep(context, file, package);
            result.Packages.Add(package);
        }
        return result;
    }

    public void Restore(ManagerContext context, ManagerLock locked)
    {
        var missing = locked.Packages.Where(package => !IsCached(context, package)).ToList();
        if (missing.Count > 0)
        {
            var downloads = Save(context, missing.Select(p => (p.Name, p.Version)), exact: true);
            foreach (var package in missing)
            {
                var file = Path.Combine(downloads, package.Source);
                if (!File.Exists(file) || Integrity.Sha512(file) != package.Integrity)
                {
                    throw new HermeticException(ErrorIds.HermeticIntegrityMismatch, ErrorKind.InvalidData,
                        $"The module package {package.Source} from the repository does not match the lock's sha512: it changed since it was locked. Nothing was installed.");
                }
                File.Copy(file, Path.Combine(context.Cache, package.Source), overwrite: true);
            }
        }
        foreach (var package in locked.Packages)
        {
            Unpack(Path.Combine(context.Cache, package.Source), context.Folder, package);
        }
    }

    public string? ResolvedVersion(ManagerLock locked, string name) =>
        locked.Packages.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Version;

    private static bool IsCached(ManagerContext context, LockedPackage package)
    {
        var file = Path.Combine(context.Cache, package.Source);
        return File.Exists(file) && Integrity.Sha512(file) == package.Integrity;
    }

    private static void Keep(ManagerContext context, string file, LockedPackage package)
    {
        Directory.CreateDirectory(context.Cache);
        var cached = Path.Combine(context.Cache, package.Source);
        File.Copy(file, cached, overwrite: true);
        Unpack(cached, context.Folder, package);
    }

    private static string Save(ManagerContext context, IEnumerable<(string Name, string Version)> packages, bool exact)
    {
        var pwsh = context.Tools.Require(context.Tools.Pwsh, "pwsh", "Install PowerShell 7 (https://aka.ms/powershell) or set WORKFLOW_AUTOMATION_PWSH.");
        var downloads = Directory.CreateDirectory(Path.Combine(context.Scratch, "psmodule-download")).FullName;
        var environment = new Dictionary<string, string>(context.Environment)
        {
            ["HERMETIC_PS_SOURCE"] = context.Sources.FirstOrDefault() ?? "PSGallery",
            ["HERMETIC_PS_DESTINATION"] = downloads,
            ["HERMETIC_PS_PACKAGES"] = string.Join('\n', packages.Select(p => p.Name + "|" + p.Version)),
        };
        if (exact)
        {
            environment["HERMETIC_PS_EXACT"] = "1";
        }
        context.Report?.Invoke("Save-PSResource " + string.Join(' ', packages.Select(p => p.Name)));
        ToolRunner.RunChecked("Save-PSResource", pwsh, ["-NoProfile", "-NonInteractive", "-Command", SaveScript], environment, context.Scratch, context.Cancellation);
        return downloads;
    }

    private static (string Id, string Version) ReadNuspec(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.Entries.First(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
        using var stream = entry.Open();
        var document = XDocument.Load(stream);
        var metadata = document.Root!.Elements().First(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().First(e => e.Name.LocalName == name).Value.Trim();
        return (Value("id"), Value("version"));
    }

    /// <summary>Unpacks the module files (not NuGet's own parts) into &lt;Name&gt;/&lt;Version&gt;, the layout PowerShell loads.</summary>
    private static void Unpack(string nupkg, string folder, LockedPackage package)
    {
        var version = package.Version.Split('-')[0];
        var target = Path.GetFullPath(Path.Combine(folder, package.Name, version));
        using var zip = ZipFile.OpenRead(nupkg);
        foreach (var entry in zip.Entries)
        {
            var name = Uri.UnescapeDataString(entry.FullName);
            if (name.EndsWith('/') || name == "[Content_Types].xml" || name.StartsWith("_rels/", StringComparison.Ordinal)
                || name.StartsWith("package/", StringComparison.Ordinal) || (!name.Contains('/') && name.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            var destination = Path.GetFullPath(Path.Combine(target, name));
            if (!destination.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new HermeticException(ErrorIds.HermeticPackageUnsafe, ErrorKind.InvalidData,
                    $"The package {package.Source} holds '{name}', which points outside its folder. It was not installed.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            entry.ExtractToFile(destination, overwrite: true);
            // Extraction stamps the archive's time; the tree digest does not depend on it.
        }
    }
}
