using System.Text;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>
/// Python wheels in a venv (tree/pip/venv). pip resolves and downloads (from the
/// manifest's index URLs and --find-links folders only), the lock keeps every wheel's
/// sha512, and every install, fresh or restored, is pip install --require-hashes
/// --no-deps of exactly the locked wheels. The venv is made relocatable (no absolute
/// paths inside) so that trees can be shared and moved.
/// </summary>
internal sealed class PipManager : IManagerDriver
{
    public PackageManager Kind => PackageManager.Pip;

    public ManagerLock Install(ManagerContext context, IReadOnlyDictionary<string, string> requested, ManagerLock? previous)
    {
        var python = Python(context);
        CreateVenv(context, python);
        var downloads = Directory.CreateDirectory(Path.Combine(context.Scratch, "pip-download")).FullName;
        context.Report?.Invoke("pip download " + string.Join(' ', requested.Keys));
        ToolRunner.RunChecked("pip download", python,
            ["-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:", "--dest", downloads, .. SourceArguments(context), .. requested.Select(Requirement)],
            context.Environment, context.Scratch, context.Cancellation);
        var result = new ManagerLock { Requested = new SortedDictionary<string, string>(requested.ToDictionary(), StringComparer.Ordinal) };
        Directory.CreateDirectory(context.Cache);
        foreach (var file in Directory.GetFiles(downloads).OrderBy(f => f, StringComparer.Ordinal))
        {
            var (name, version) = ParseWheelName(Path.GetFileName(file));
            var integrity = Integrity.Sha512(file);
            File.Copy(file, Path.Combine(context.Cache, Path.GetFileName(file)), overwrite: true);
            result.Packages.Add(new LockedPackage { Name = name, Version = version, Source = Path.GetFileName(file), Integrity = integrity });
        }
        InstallLocked(context, python, result);
        result.Tools["python"] = context.Tools.Version(python, context.Environment) ?? "unknown";
        return result;
    }

    public void Restore(ManagerContext context, ManagerLock locked)
    {
        var python = Python(context);
        CreateVenv(context, python);
        var missing = locked.Packages.Where(package => !HasGoodCopy(context, package)).ToList();
        if (missing.Count > 0)
        {
            var downloads = Directory.CreateDirectory(Path.Combine(context.Scratch, "pip-download")).FullName;
            context.Report?.Invoke("pip download " + string.Join(' ', missing.Select(p => p.Name)));
            ToolRunner.RunChecked("pip download", python,
                ["-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:", "--dest", downloads, .. SourceArguments(context),
                    .. missing.Select(p => $"{p.Name}=={p.Version}")],
                context.Environment, context.Scratch, context.Cancellation);
            foreach (var package in missing)
            {
                var file = Path.Combine(downloads, package.Source);
                if (!File.Exists(file) || Integrity.Sha512(file) != package.Integrity)
                {
                    throw new HermeticException(ErrorIds.HermeticIntegrityMismatch, ErrorKind.InvalidData,
                        $"The wheel {package.Source} from the pip sources does not match the lock's sha512 ({package.Integrity[..20]}…): the artifact changed since it was locked. Nothing was installed. Check the sources, or lock again if the change is intended.");
                }
                File.Copy(file, Path.Combine(context.Cache, package.Source), overwrite: true);
            }
        }
        InstallLocked(context, python, locked);
    }

    public string? ResolvedVersion(ManagerLock locked, string name) =>
        locked.Packages.FirstOrDefault(p => p.Name == Normalize(name))?.Version;

    private static bool HasGoodCopy(ManagerContext context, LockedPackage package)
    {
        var file = Path.Combine(context.Cache, package.Source);
        return File.Exists(file) && Integrity.Sha512(file) == package.Integrity;
    }

    /// <summary>pip install --require-hashes of exactly the locked wheels, from the cache folder only.</summary>
    private static void InstallLocked(ManagerContext context, string python, ManagerLock locked)
    {
        if (locked.Packages.Count == 0)
        {
            return;
        }
        var requirements = new StringBuilder();
        foreach (var package in locked.Packages)
        {
            var hex = Convert.ToHexString(Convert.FromBase64String(package.Integrity["sha512-".Length..])).ToLowerInvariant();
            requirements.Append(package.Name).Append("==").Append(package.Version).Append(" --hash=sha512:").Append(hex).Append('\n');
        }
        var file = Path.Combine(context.Scratch, "requirements.txt");
        File.WriteAllText(file, requirements.ToString());
        context.Report?.Invoke("pip install --require-hashes");
        ToolRunner.RunChecked("pip install --require-hashes", python,
            ["-m", "pip", "--python", VenvPython(context), "install", "--disable-pip-version-check", "--no-deps", "--require-hashes", "--no-compile",
                "--only-binary=:all:", "--no-index", "--find-links", context.Cache, "-r", file],
            context.Environment, context.Scratch, context.Cancellation);
        Relocatable.Fix(Path.Combine(context.Folder, "venv"));
    }

    private static string Python(ManagerContext context) =>
        context.Tools.Require(context.Tools.Python, "python3", "Install Python 3 with venv (Debian: apt-get install python3 python3-venv python3-pip).");

    private static string VenvPython(ManagerContext context) => Path.Combine(context.Folder, "venv", "bin", "python");

    private static void CreateVenv(ManagerContext context, string python)
    {
        Directory.CreateDirectory(context.Folder);
        ToolRunner.RunChecked("python -m venv", python, ["-m", "venv", "--without-pip", Path.Combine(context.Folder, "venv")],
            context.Environment, context.Folder, context.Cancellation);
        Relocatable.Fix(Path.Combine(context.Folder, "venv"));
    }

    private static IEnumerable<string> SourceArguments(ManagerContext context)
    {
        var indexes = context.Sources.Where(s => s.Contains("://", StringComparison.Ordinal)).ToList();
        if (indexes.Count == 0)
        {
            // Only what the manifest names: no silent fall-back to PyPI.
            yield return "--no-index";
        }
        for (var i = 0; i < indexes.Count; i++)
        {
            yield return i == 0 ? "--index-url" : "--extra-index-url";
            yield return indexes[i];
        }
        foreach (var folder in context.Sources.Where(s => !s.Contains("://", StringComparison.Ordinal)))
        {
            yield return "--find-links";
            yield return folder;
        }
    }

    private static string Requirement(KeyValuePair<string, string> request) =>
        request.Value is "" or "*" ? request.Key
        : char.IsAsciiDigit(request.Value[0]) ? $"{request.Key}=={request.Value}"
        : request.Key + request.Value;

    /// <summary>name-version(-build)?-python-abi-platform.whl (PEP 427), name normalised (PEP 503).</summary>
    private static (string Name, string Version) ParseWheelName(string file)
    {
        if (!file.EndsWith(".whl", StringComparison.OrdinalIgnoreCase))
        {
            throw new HermeticException(ErrorIds.HermeticPipNotWheel, ErrorKind.InvalidData,
                $"pip downloaded '{file}', which is not a wheel. Hermetic environments install wheels only; build a wheel (python -m pip wheel) and put it in a --find-links folder.");
        }
        var parts = file[..^4].Split('-');
        return (Normalize(parts[0]), parts[1]);
    }

    private static string Normalize(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();
}
