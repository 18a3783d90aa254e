namespace WorkflowAutomation.Hermetic;

public sealed partial class HermeticService
{
    /// <summary>
    /// Verifies an environment: the lock against the manifest, every file of the installed
    /// tree against the hashes recorded when it was built from the lock, and the tool
    /// versions. With <paramref name="rebuild"/>, also restores the lock into a scratch
    /// folder without the cache and compares the trees (reproducible or not, and what
    /// differs). Returns nothing when all is as locked. A file whose size and modification time
    /// are those of the last clean verify keeps its recorded hash unless <paramref name="full"/> is set.
    /// </summary>
    public IReadOnlyList<HermeticDrift> Test(string name, bool rebuild = false, Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default, bool full = false)
    {
        var registration = HermeticRegistration.Require(Paths, name);
        var manifest = HermeticManifest.Load(registration.ManifestPath);
        var drifts = new List<HermeticDrift>();
        HermeticDrift Drift(HermeticDriftKind kind, PackageManager? manager, string message, string? path = null, string? expected = null, string? actual = null) =>
            new() { Environment = name, Kind = kind, Manager = manager, Message = message, Path = path, Expected = expected, Actual = actual };

        HermeticLock? lockFile = null;
        if (!File.Exists(manifest.LockPath))
        {
            drifts.Add(Drift(HermeticDriftKind.NotLocked, null, $"{name}: there is no lock {manifest.LockPath}. Run Lock-HermeticEnvironment -Name {name}."));
        }
        else
        {
            lockFile = HermeticLock.Load(manifest.LockPath);
            drifts.AddRange(lockFile.Mismatches(manifest).Select(problem =>
                Drift(HermeticDriftKind.LockOutOfDate, null, $"{name}: {problem}. Run Lock-HermeticEnvironment -Name {name}.")));
        }

        if (registration.Tree is not { } key || !IsComplete(key))
        {
            drifts.Add(Drift(HermeticDriftKind.NotInstalled, null, $"{name}: the environment is not installed. Run Restore-HermeticEnvironment -Name {name}."));
            return drifts;
        }
        if (lockFile is not null && lockFile.Mismatches(manifest).Count == 0 && lockFile.TreeKey() != key)
        {
            drifts.Add(Drift(HermeticDriftKind.NotInstalled, null,
                $"{name}: the installed tree was not built from the lock {manifest.LockPath}. Run Restore-HermeticEnvironment -Name {name}.", expected: lockFile.TreeKey(), actual: key));
        }
        var tree = Paths.Tree(key);
        var installed = TreeLock(registration);
        // Asking each tool its version starts a process (a pyenv shim, then the interpreter):
        // that runs while the trees are scanned instead of after.
        var toolChecks = installed.Managers.ToDictionary(pair => pair.Key,
            pair => Task.Run(() => ToolDrifts(name, pair.Key, pair.Value).ToList(), cancellationToken));
        foreach (var (manager, section) in installed.Managers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var label = PackageManagerNames.Of(manager);
            progress?.Invoke(new HermeticProgress($"Verifying '{name}'", label, 0));
            var listFile = Path.Combine(tree, TreeBuilder.MetadataFolder, label + ".list");
            var expected = File.Exists(listFile) ? TreeListing.Parse(File.ReadAllText(listFile)) : TreeListing.FromEntries([]);
            if (expected.Digest != section.TreeDigest)
            {
                var store = Paths.Store.LoadListing(section.TreeDigest);
                if (store is null)
                {
                    drifts.Add(Drift(HermeticDriftKind.Changed, manager, $"{name}: {label}: the tree's file list was altered and the cache has no copy to compare with. Run Restore-HermeticEnvironment -Name {name}.",
                        path: $"{TreeBuilder.MetadataFolder}/{label}.list"));
                    continue;
                }
                expected = store;
            }
            var stampsFile = Path.Combine(Paths.EnvironmentFolder(name), "verified", label + ".stamps");
            var scanned = TreeListing.Scan(Path.Combine(tree, label), full ? null : VerifyStamps.Load(stampsFile, expected.Digest));
            var differences = TreeListing.Compare(expected, scanned);
            if (differences.Count == 0)
            {
                VerifyStamps.Save(stampsFile, expected.Digest, scanned);
            }
            foreach (var difference in differences)
            {
                var what = difference.Kind switch
                {
                    HermeticDriftKind.Missing => "is missing",
                    HermeticDriftKind.Added => "was added",
                    _ => "was changed",
                };
                drifts.Add(Drift(difference.Kind, manager, $"{name}: {label}/{difference.Path} {what}" +
                    (difference.Expected is not null && difference.Actual is not null ? $" (locked: {difference.Expected}; found: {difference.Actual})" : string.Empty) + ".",
                    path: $"{label}/{difference.Path}", expected: difference.Expected, actual: difference.Actual));
            }
            drifts.AddRange(toolChecks[manager].GetAwaiter().GetResult());
        }
        if (rebuild && lockFile is not null)
        {
            drifts.AddRange(Rebuild(name, manifest, lockFile, progress, cancellationToken));
        }
        return drifts;
    }

    private IEnumerable<HermeticDrift> ToolDrifts(string name, PackageManager manager, ManagerLock section)
    {
        var variables = IsolatedEnvironment.Build(Paths, name, Paths.Root, Tools, IsolatedEnvironment.CurrentHost()).Variables;
        foreach (var (tool, lockedVersion) in section.Tools)
        {
            var executable = tool switch { "node" => Tools.Node, "python" => Tools.Python, "dotnet" => Tools.Dotnet, _ => null };
            var current = executable is null ? null : Tools.Version(executable, variables);
            if (current != lockedVersion)
            {
                yield return new HermeticDrift
                {
                    Environment = name,
                    Manager = manager,
                    Kind = HermeticDriftKind.ToolVersion,
                    Path = tool,
                    Expected = lockedVersion,
                    Actual = current,
                    Message = $"{name}: {PackageManagerNames.Of(manager)} was locked with {tool} '{lockedVersion}' but this machine has '{current ?? "none"}'.",
                };
            }
        }
    }

    /// <summary>Nix --check: build the lock again without the cache and compare tree by tree.</summary>
    private List<HermeticDrift> Rebuild(string name, HermeticManifest manifest, HermeticLock lockFile, Action<HermeticProgress>? progress, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Paths.Trees, $".rebuild-{Environment.ProcessId}-{Guid.NewGuid():n}");
        var drifts = new List<HermeticDrift>();
        try
        {
            Builder.Build(manifest, lockFile, new HashSet<PackageManager>(), progress, cancellationToken, into: scratch, useStore: false);
            foreach (var (manager, section) in lockFile.Managers)
            {
                var label = PackageManagerNames.Of(manager);
                var rebuilt = TreeListing.Parse(File.ReadAllText(Path.Combine(scratch, TreeBuilder.MetadataFolder, label + ".list")));
                if (rebuilt.Digest == section.TreeDigest)
                {
                    continue;
                }
                var locked = Paths.Store.LoadListing(section.TreeDigest);
                var differences = locked is null ? [] : TreeListing.Compare(locked, rebuilt);
                drifts.Add(new HermeticDrift
                {
                    Environment = name,
                    Manager = manager,
                    Kind = HermeticDriftKind.NotReproducible,
                    Expected = section.TreeDigest,
                    Actual = rebuilt.Digest,
                    Message = $"{name}: {label}: a rebuild from the lock gave a different tree ({differences.Count} paths differ" +
                        (differences.Count > 0 ? ": " + string.Join(", ", differences.Take(5).Select(d => d.Path)) : string.Empty) + ").",
                });
                drifts.AddRange(differences.Select(d => new HermeticDrift
                {
                    Environment = name,
                    Manager = manager,
                    Kind = HermeticDriftKind.NotReproducible,
                    Path = $"{label}/{d.Path}",
                    Expected = d.Expected,
                    Actual = d.Actual,
                    Message = $"{name}: {label}/{d.Path} differs when rebuilt (locked: {d.Expected ?? "absent"}; rebuilt: {d.Actual ?? "absent"}).",
                }));
            }
        }
        finally
        {
            TreeBuilder.DeleteQuietly(scratch);
        }
        return drifts;
    }

    /// <summary>
    /// Empties the shared cache, or with <paramref name="unusedOnly"/> removes the trees no
    /// environment uses and the cache objects no remaining tree links. Installed trees keep
    /// working either way (their files are links of their own).
    /// </summary>
    public HermeticCacheInfo ClearCache(bool unusedOnly)
    {
        Paths.EnsureCreated();
        var before = ContentStore.FolderSize(Paths.Cache);
        var removedTrees = 0;
        if (!unusedOnly)
        {
            TreeBuilder.DeleteQuietly(Paths.Cache);
            Paths.EnsureCreated();
        }
        else
        {
            var used = HermeticRegistration.All(Paths).Select(r => r.Tree).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tree in Directory.GetDirectories(Paths.Trees))
            {
                var key = Path.GetFileName(tree);
                if (key.StartsWith('.'))
                {
                    continue;
                }
                if (!used.Contains(key))
                {
                    TreeBuilder.DeleteQuietly(tree);
                    removedTrees++;
                    continue;
                }
                var lockFile = Path.Combine(tree, TreeBuilder.MetadataFolder, "lock.json");
                if (File.Exists(lockFile))
                {
                    foreach (var section in HermeticLock.Parse(File.ReadAllText(lockFile), lockFile).Managers.Values)
                    {
                        keep.Add(section.TreeDigest);
                    }
                }
            }
            Paths.Store.RemoveUnused(keep);
        }
        var after = ContentStore.FolderSize(Paths.Cache);
        return new HermeticCacheInfo { Path = Paths.Cache, FreedBytes = Math.Max(0, before - after), TreesRemoved = removedTrees, SizeBytes = after };
    }
}
