using System.Diagnostics;
using WorkflowAutomation.Hermetic.Managers;

namespace WorkflowAutomation.Hermetic;

/// <summary>What a tree build produced.</summary>
internal sealed record BuiltTree(HermeticLock Lock, string Key, string Path, IReadOnlyList<string> Warnings);

/// <summary>
/// Builds a tree in a staging folder and moves it into place in one rename, so that an
/// install or restore that fails, is cancelled or is killed leaves every existing tree
/// and registration as it was. Managers whose lock section is unchanged are hard-linked
/// from the content-addressed cache; the others run their manager.
/// </summary>
internal sealed class TreeBuilder(HermeticPaths paths, HostTools tools)
{
    public const string MetadataFolder = ".hermetic";

    /// <summary>
    /// Realises <paramref name="target"/>, resolving anew the managers in <paramref name="resolve"/>
    /// (with the manifest's requests) and restoring the others exactly.
    /// </summary>
    public BuiltTree Build(HermeticManifest manifest, HermeticLock target, IReadOnlySet<PackageManager> resolve,
        Action<HermeticProgress>? progress, CancellationToken cancellationToken, string? into = null, bool useStore = true)
    {
        paths.EnsureCreated();
        RemoveAbandoned();
        var staging = into ?? Path.Combine(paths.Trees, $".staging-{Environment.ProcessId}-{Guid.NewGuid():n}");
        var scratch = Path.Combine(paths.Trees, $".scratch-{Environment.ProcessId}-{Guid.NewGuid():n}");
        var store = paths.Store;
        var warnings = new List<string>();
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, MetadataFolder));
            Directory.CreateDirectory(scratch);
            var managers = Enum.GetValues<PackageManager>()
                .Where(m => resolve.Contains(m) ? manifest.Requested(m).Count > 0 : target.Managers.ContainsKey(m))
                .ToList();
            var sections = new SortedDictionary<PackageManager, ManagerLock>();
            var isolation = IsolatedEnvironment.Build(paths, manifest.Name, staging, tools, IsolatedEnvironment.CurrentHost());
            isolation.EnsureHome();
            for (var index = 0; index < managers.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var manager = managers[index];
                var label = PackageManagerNames.Of(manager);
                var percent = index * 100 / managers.Count;
                void Report(string status) => progress?.Invoke(new HermeticProgress($"Hermetic environment '{manifest.Name}'", $"{label}: {status}", percent));
                var folder = Path.Combine(staging, label);
                var context = new ManagerContext
                {
                    Kind = manager,
                    Folder = folder,
                    Manifest = manifest,
                    Paths = paths,
                    Tools = tools,
                    Environment = isolation.Variables,
                    Scratch = Directory.CreateDirectory(Path.Combine(scratch, label)).FullName,
                    Cancellation = cancellationToken,
                    Report = Report,
                };
                Directory.CreateDirectory(context.Cache);
                var driver = ManagerDrivers.For(manager);
                ManagerLock section;
                TreeListing listing;
                if (resolve.Contains(manager))
                {
                    section = driver.Install(context, manifest.Requested(manager), target.Managers.GetValueOrDefault(manager));
                    listing = TreeListing.Scan(folder);
                    section.TreeDigest = listing.Digest;
                    store.Ingest(folder, listing);
                }
                else
                {
                    section = target.Managers[manager];
                    if (useStore && store.LoadListing(section.TreeDigest) is { } cached && store.TryMaterialize(cached, folder))
                    {
                        Report("linked from the cache");
                        listing = cached;
                    }
                    else
                    {
                        if (Directory.Exists(folder))
                        {
                            Directory.Delete(folder, recursive: true);
                        }
                        driver.Restore(context, section);
                        listing = TreeListing.Scan(folder);
                        if (listing.Digest != section.TreeDigest)
                        {
                            warnings.Add($"{label}: the restored tree differs from the one the lock was made from (digest {listing.Digest[..16]}… instead of {Short(section.TreeDigest)}); Test-HermeticEnvironment lists the files.");
                        }
                        if (useStore)
                        {
                            store.Ingest(folder, listing);
                        }
                    }
                }
                File.WriteAllText(Path.Combine(staging, MetadataFolder, label + ".list"), listing.Text);
                sections[manager] = section;
            }
            var result = new HermeticLock { Name = manifest.Name, Managers = sections };
            File.WriteAllText(Path.Combine(staging, MetadataFolder, "lock.json"), result.Serialize());
            var key = result.TreeKey();
            if (into is not null)
            {
                return new BuiltTree(result, key, staging, warnings);
            }
            var final = paths.Tree(key);
            if (!Directory.Exists(final))
            {
                try
                {
                    Directory.Move(staging, final);
                }
                catch (IOException) when (Directory.Exists(final))
                {
                    // Built by someone else meanwhile: same key, same files.
                }
            }
            return new BuiltTree(result, key, final, warnings);
        }
        finally
        {
            DeleteQuietly(scratch);
            if (into is null)
            {
                DeleteQuietly(staging);
            }
        }
    }

    private static string Short(string digest) => digest.Length > 16 ? digest[..16] + "…" : "(none)";

    /// <summary>Staging folders of processes that died (kill -9) are removed before the next build.</summary>
    private void RemoveAbandoned()
    {
        foreach (var folder in Directory.GetDirectories(paths.Trees, ".*-*"))
        {
            var parts = Path.GetFileName(folder).Split('-');
            if (parts.Length >= 3 && int.TryParse(parts[1], out var pid) && !IsAlive(pid))
            {
                DeleteQuietly(folder);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
