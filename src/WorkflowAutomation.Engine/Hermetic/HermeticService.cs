using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Creates, installs into, locks, verifies and restores hermetic environments: the one
/// engine behind the Hermetic cmdlets, the workflow 'environment:' key and the daemon.
/// </summary>
public sealed partial class HermeticService
{
    /// <param name="root">The state directory's environments folder (StateDirectory.HermeticFolder).</param>
    /// <param name="tools">The host tools; found on PATH when null.</param>
    public HermeticService(string root, HostTools? tools = null)
    {
        Paths = new HermeticPaths(root);
        Tools = tools ?? new HostTools();
    }

    public HermeticPaths Paths { get; }

    public HostTools Tools { get; }

    private TreeBuilder Builder => new(Paths, Tools);

    /// <summary>Creates an environment: a manifest in <paramref name="folder"/> (or adopts the one there) and an empty tree.</summary>
    public HermeticEnvironment Create(string name, string folder)
    {
        HermeticNames.Validate(name);
        Paths.EnsureCreated();
        if (HermeticRegistration.Load(Paths, name) is { } existing)
        {
            throw new HermeticException(ErrorIds.HermeticEnvironmentExists, ErrorKind.ResourceExists,
                $"The hermetic environment '{name}' already exists (manifest {existing.ManifestPath}). Use it, or remove it first with Remove-HermeticEnvironment -Name {name}.");
        }
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(Path.GetFullPath(folder), HermeticManifest.FileName);
        HermeticManifest manifest;
        if (File.Exists(manifestPath))
        {
            manifest = HermeticManifest.Load(manifestPath);
            if (manifest.Name != name)
            {
                throw new HermeticException(ErrorIds.HermeticManifestNameMismatch, ErrorKind.InvalidArgument,
                    $"{manifestPath} already describes the environment '{manifest.Name}', not '{name}'. Use -Name {manifest.Name}, or another -Path.");
            }
        }
        else
        {
            manifest = new HermeticManifest { Name = name, Path = manifestPath };
            manifest.Save();
        }
        var empty = new HermeticLock { Name = name };
        var key = empty.TreeKey();
        var tree = Paths.Tree(key);
        if (!Directory.Exists(tree))
        {
            var staging = tree + $".staging-{Environment.ProcessId}";
            Directory.CreateDirectory(Path.Combine(staging, TreeBuilder.MetadataFolder));
            File.WriteAllText(Path.Combine(staging, TreeBuilder.MetadataFolder, "lock.json"), empty.Serialize());
            try
            {
                Directory.Move(staging, tree);
            }
            catch (IOException)
            {
                TreeBuilder.DeleteQuietly(staging);
            }
        }
        return Register(manifest, key);
    }

    /// <summary>Environments whose name matches one of the patterns (all when none).</summary>
    public IEnumerable<HermeticEnvironment> Get(IReadOnlyCollection<string>? patterns = null)
    {
        var cacheSize = ContentStore.FolderSize(Paths.Cache);
        foreach (var registration in HermeticRegistration.All(Paths))
        {
            if (patterns is { Count: > 0 } && !patterns.Any(pattern => Wildcard.IsMatch(registration.Name, pattern)))
            {
                continue;
            }
            yield return Describe(registration, cacheSize);
        }
    }

    public HermeticEnvironment Get(string name) => Describe(HermeticRegistration.Require(Paths, name), ContentStore.FolderSize(Paths.Cache));

    /// <summary>Forgets an environment (its HOME, wrappers and registration); the manifest and lock in the repository stay.</summary>
    public void Remove(string name)
    {
        HermeticRegistration.Require(Paths, name);
        TreeBuilder.DeleteQuietly(Paths.EnvironmentFolder(name));
    }

    /// <summary>
    /// Adds a package to the manifest and installs it: the manager resolves it (keeping
    /// earlier pins), the tree is rebuilt beside the old one and swapped in. The manifest
    /// is written only when everything succeeded.
    /// </summary>
    public HermeticEnvironment Install(string name, PackageManager manager, string package, string? version, string? source,
        Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(package))
        {
            throw new HermeticException(ErrorIds.HermeticPackageNameMissing, ErrorKind.InvalidArgument, "Give the package name with -Name.");
        }
        var registration = HermeticRegistration.Require(Paths, name);
        var manifest = HermeticManifest.Load(registration.ManifestPath).WithPackage(manager, package.Trim(), string.IsNullOrWhiteSpace(version) ? "*" : version.Trim());
        if (!string.IsNullOrWhiteSpace(source))
        {
            manifest = manifest.WithSource(manager, source);
        }
        var built = Builder.Build(manifest, TreeLock(registration), new HashSet<PackageManager> { manager }, progress, cancellationToken);
        manifest.Save();
        return Register(manifest, built.Key);
    }

    /// <summary>
    /// Writes the lock next to the manifest. Managers whose manifest entries changed since
    /// the last install are resolved again first; the others keep their pins.
    /// </summary>
    public HermeticEnvironment Lock(string name, Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var registration = HermeticRegistration.Require(Paths, name);
        var manifest = HermeticManifest.Load(registration.ManifestPath);
        var installed = TreeLock(registration);
        var stale = Enum.GetValues<PackageManager>()
            .Where(m => !manifest.Requested(m).OrderBy(p => p.Key).SequenceEqual(installed.Managers.TryGetValue(m, out var s) ? s.Requested : []))
            .ToHashSet();
        var key = registration.Tree;
        var result = installed;
        if (stale.Count > 0)
        {
            var target = new HermeticLock { Name = manifest.Name, Managers = new(installed.Managers.Where(pair => !stale.Contains(pair.Key)).ToDictionary()) };
            var built = Builder.Build(manifest, target, stale, progress, cancellationToken);
            key = built.Key;
            result = built.Lock;
        }
        new HermeticLock { Name = manifest.Name, Managers = result.Managers }.Save(manifest.LockPath);
        return Register(manifest, key!);
    }

    /// <summary>
    /// Recreates an environment exactly from its lock (frozen, like npm ci and uv sync
    /// --locked): nothing is resolved, a lock that does not answer the manifest is refused,
    /// and every artifact's integrity is checked. <paramref name="nameOrManifest"/> is a
    /// registered name, a manifest file or the folder holding one.
    /// </summary>
    public HermeticEnvironment Restore(string nameOrManifest, Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default)
        => Restore(nameOrManifest, progress, cancellationToken, out _);

    public HermeticEnvironment Restore(string nameOrManifest, Action<HermeticProgress>? progress, CancellationToken cancellationToken, out IReadOnlyList<string> warnings)
    {
        var manifest = ResolveManifest(nameOrManifest);
        var lockFile = HermeticLock.Load(manifest.LockPath);
        var mismatches = lockFile.Mismatches(manifest);
        if (mismatches.Count > 0)
        {
            throw new HermeticException(ErrorIds.HermeticLockOutOfDate, ErrorKind.InvalidData,
                $"The lock {manifest.LockPath} does not match the manifest {manifest.Path}: {string.Join("; ", mismatches)}. " +
                "Nothing was changed. Run Lock-HermeticEnvironment to update the lock, or undo the manifest change.");
        }
        var key = lockFile.TreeKey();
        warnings = [];
        if (!IsComplete(key))
        {
            var built = Builder.Build(manifest, lockFile, new HashSet<PackageManager>(), progress, cancellationToken);
            warnings = built.Warnings;
        }
        return Register(manifest, key);
    }

    /// <summary>The manifest a name, a manifest path or a folder refers to.</summary>
    public HermeticManifest ResolveManifest(string nameOrManifest)
    {
        if (HermeticNames.IsValid(nameOrManifest) && HermeticRegistration.Load(Paths, nameOrManifest) is { } registration)
        {
            return HermeticManifest.Load(registration.ManifestPath);
        }
        var path = Path.GetFullPath(nameOrManifest);
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, HermeticManifest.FileName);
        }
        if (File.Exists(path))
        {
            return HermeticManifest.Load(path);
        }
        if (HermeticNames.IsValid(nameOrManifest))
        {
            HermeticRegistration.Require(Paths, nameOrManifest);
        }
        return HermeticManifest.Load(path);
    }

    /// <summary>True when the name is registered or the path holds a manifest.</summary>
    public bool Exists(string nameOrManifest, string? relativeTo = null)
    {
        if (HermeticNames.IsValid(nameOrManifest) && HermeticRegistration.Load(Paths, nameOrManifest) is not null)
        {
            return true;
        }
        var path = Path.GetFullPath(Path.Combine(relativeTo ?? Environment.CurrentDirectory, nameOrManifest));
        return File.Exists(path) || File.Exists(Path.Combine(path, HermeticManifest.FileName));
    }

    /// <summary>The variables, wrappers and activate script of an installed environment.</summary>
    public IsolatedEnvironment Isolation(string name)
    {
        var registration = HermeticRegistration.Require(Paths, name);
        var tree = RequireTree(registration);
        var isolation = IsolatedEnvironment.Build(Paths, name, tree, Tools, IsolatedEnvironment.CurrentHost());
        isolation.Prepare(Paths, Tools);
        return isolation;
    }

    private string RequireTree(HermeticRegistration registration)
    {
        if (registration.Tree is { } key && IsComplete(key))
        {
            return Paths.Tree(key);
        }
        throw new HermeticException(ErrorIds.HermeticEnvironmentNotInstalled, ErrorKind.ResourceUnavailable,
            $"The hermetic environment '{registration.Name}' is not installed on this machine. Run Restore-HermeticEnvironment -Name {registration.Name}.");
    }

    private bool IsComplete(string key) => File.Exists(Path.Combine(Paths.Tree(key), TreeBuilder.MetadataFolder, "lock.json"));

    /// <summary>The lock the installed tree was built from (empty before the first install).</summary>
    private HermeticLock TreeLock(HermeticRegistration registration)
    {
        var file = registration.Tree is { } key ? Path.Combine(Paths.Tree(key), TreeBuilder.MetadataFolder, "lock.json") : null;
        return file is not null && File.Exists(file) ? HermeticLock.Parse(File.ReadAllText(file), file) : new HermeticLock { Name = registration.Name };
    }

    private HermeticEnvironment Register(HermeticManifest manifest, string key)
    {
        var previous = HermeticRegistration.Load(Paths, manifest.Name);
        var registration = new HermeticRegistration
        {
            Name = manifest.Name,
            ManifestPath = manifest.Path,
            Tree = key,
            Created = previous?.Created ?? DateTimeOffset.UtcNow,
        };
        registration.Save(Paths);
        IsolatedEnvironment.Build(Paths, manifest.Name, Paths.Tree(key), Tools, IsolatedEnvironment.CurrentHost()).Prepare(Paths, Tools);
        return Describe(registration, cacheSize: null);
    }

    private HermeticEnvironment Describe(HermeticRegistration registration, long? cacheSize)
    {
        var treeLock = TreeLock(registration);
        var tree = registration.Tree is { } key ? Paths.Tree(key) : null;
        var locked = false;
        if (File.Exists(Path.Combine(Path.GetDirectoryName(registration.ManifestPath)!, HermeticLock.FileName)) && File.Exists(registration.ManifestPath))
        {
            try
            {
                var manifest = HermeticManifest.Load(registration.ManifestPath);
                locked = HermeticLock.Load(manifest.LockPath).Mismatches(manifest).Count == 0;
            }
            catch (HermeticException)
            {
                locked = false;
            }
        }
        long size = 0;
        if (tree is not null)
        {
            foreach (var list in Directory.Exists(Path.Combine(tree, TreeBuilder.MetadataFolder)) ? Directory.GetFiles(Path.Combine(tree, TreeBuilder.MetadataFolder), "*.list") : [])
            {
                size += TreeListing.Parse(File.ReadAllText(list)).Bytes;
            }
        }
        return new HermeticEnvironment
        {
            Name = registration.Name,
            ManifestPath = registration.ManifestPath,
            LockPath = Path.Combine(Path.GetDirectoryName(registration.ManifestPath)!, HermeticLock.FileName),
            IsLocked = locked,
            Tree = registration.Tree,
            TreePath = tree,
            Home = Paths.Home(registration.Name),
            ActivateScript = Paths.Activate(registration.Name),
            Packages = treeLock.Managers.SelectMany(pair => pair.Value.Packages.Select(p => new HermeticPackage
            {
                Environment = registration.Name,
                Manager = pair.Key,
                Name = p.Name,
                Version = p.Version,
                Source = p.Source,
                Integrity = p.Integrity,
            })).ToList(),
            SizeBytes = size,
            CacheSizeBytes = cacheSize ?? ContentStore.FolderSize(Paths.Cache),
        };
    }
}

public sealed partial class HermeticService
{
    /// <summary>
    /// Makes sure an environment (name, manifest or folder) is installed as its lock says,
    /// restoring it (frozen) when its tree is missing or the lock changed; returns its name.
    /// </summary>
    public string EnsureRestored(string nameOrManifest, Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var manifest = ResolveManifest(nameOrManifest);
        var registration = HermeticRegistration.Load(Paths, manifest.Name);
        if (!File.Exists(manifest.LockPath))
        {
            // Not locked yet (still being built up): use what is installed.
            if (registration?.Tree is { } installed && IsComplete(installed))
            {
                return manifest.Name;
            }
            HermeticLock.Load(manifest.LockPath);
        }
        var key = HermeticLock.Load(manifest.LockPath).TreeKey();
        if (registration?.Tree == key && IsComplete(key) && registration.ManifestPath == manifest.Path)
        {
            return manifest.Name;
        }
        Restore(manifest.Path, progress, cancellationToken);
        return manifest.Name;
    }
}
