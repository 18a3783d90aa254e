namespace WorkflowAutomation.Hermetic;

/// <summary>
/// The shared content-addressed cache: one read-only object per distinct file content
/// (named by its sha512), hard-linked into every tree that holds it, plus the listings
/// that say which objects make up a tree. A corrupt object is found by its hash when it is
/// linked, removed, and the caller fetches the files again.
/// </summary>
public sealed class ContentStore
{
    public ContentStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    private string Objects => Path.Combine(Root, "objects");

    private string Listings => Path.Combine(Root, "listings");

    public string ObjectPath(string hash, bool executable) =>
        Path.Combine(Objects, hash[..2], hash[2..] + (executable ? "-x" : string.Empty));

    /// <summary>Moves every file of a freshly installed tree into the store and links it back.</summary>
    public void Ingest(string root, TreeListing listing)
    {
        // Files with the same content go to one object, so they are handled by one thread:
        // two threads adding the same object would each keep a different inode.
        var byObject = listing.Entries.Where(entry => entry.Kind == TreeEntryKind.File)
            .GroupBy(entry => ObjectPath(entry.Hash, entry.Executable));
        System.Threading.Tasks.Parallel.ForEach(byObject, sameContent =>
        {
            var target = sameContent.Key;
            var first = sameContent.First();
            // An object that no longer matches its name (changed through a hard link) is replaced.
            var corrupt = File.Exists(target) && TreeListing.HashFile(target) != first.Hash;
            var stored = File.Exists(target) && !corrupt;
            foreach (var entry in sameContent)
            {
                var file = Path.Combine(root, entry.Path);
                if (!stored)
                {
                    AddObject(file, target, entry.Executable, corrupt);
                    stored = true;
                }
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
                HardLink.LinkOrCopy(target, file);
            }
        });
        SaveListing(listing);
    }

    private static void AddObject(string file, string target, bool executable, bool replaceCorrupt)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // The same inode moves in: nothing is copied.
        var part = target + ".part-" + Guid.NewGuid().ToString("n")[..8];
        File.Move(file, part, overwrite: false);
        MakeReadOnly(part, executable);
        if (replaceCorrupt)
        {
            File.Delete(target);
        }
        try
        {
            // Never over an object another process has just added: trees already link to it.
            File.Move(part, target, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(part);
        }
    }

    /// <summary>
    /// Recreates a tree from a listing by hard links, checking each object's sha512 on the
    /// way. False (and nothing left behind) when an object is missing or corrupt.
    /// </summary>
    public bool TryMaterialize(TreeListing listing, string root)
    {
        var files = listing.Entries.Where(entry => entry.Kind == TreeEntryKind.File).ToList();
        var corrupt = 0;
        System.Threading.Tasks.Parallel.ForEach(files, entry =>
        {
            var source = ObjectPath(entry.Hash, entry.Executable);
            if (!File.Exists(source) || new FileInfo(source).Length != entry.Size || TreeListing.HashFile(source) != entry.Hash)
            {
                if (File.Exists(source))
                {
                    // Corrupt: it goes, so that the next install stores a good copy.
                    File.Delete(source);
                }
                Interlocked.Increment(ref corrupt);
            }
        });
        if (corrupt > 0)
        {
            return false;
        }
        Directory.CreateDirectory(root);
        foreach (var entry in listing.Entries.Where(entry => entry.Kind == TreeEntryKind.Directory))
        {
            Directory.CreateDirectory(Path.Combine(root, entry.Path));
        }
        System.Threading.Tasks.Parallel.ForEach(files, entry =>
        {
            var destination = Path.Combine(root, entry.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            HardLink.LinkOrCopy(ObjectPath(entry.Hash, entry.Executable), destination);
        });
        foreach (var entry in listing.Entries.Where(entry => entry.Kind == TreeEntryKind.SymbolicLink))
        {
            var destination = Path.Combine(root, entry.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.CreateSymbolicLink(destination, entry.LinkTarget!);
        }
        return true;
    }

    public void SaveListing(TreeListing listing)
    {
        Directory.CreateDirectory(Listings);
        var path = Path.Combine(Listings, listing.Digest + ".list");
        if (!File.Exists(path))
        {
            AtomicFile.Write(path, listing.Text);
        }
    }

    public TreeListing? LoadListing(string digest)
    {
        if (string.IsNullOrEmpty(digest) || digest.IndexOfAny(['/', '\\', '.']) >= 0)
        {
            return null;
        }
        var path = Path.Combine(Listings, digest + ".list");
        if (!File.Exists(path))
        {
            return null;
        }
        var listing = TreeListing.Parse(File.ReadAllText(path));
        return listing.Digest == digest ? listing : null;
    }

    /// <summary>Bytes held by cache objects (each counted once, however many trees link it).</summary>
    public long Size() => FolderSize(Root);

    internal static long FolderSize(string folder) =>
        Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Where(file => file.LinkTarget is null).Sum(file => file.Length)
            : 0;

    /// <summary>Removes objects no listing in <paramref name="keep"/> refers to, and those listings; returns bytes freed.</summary>
    public long RemoveUnused(IReadOnlySet<string> keep)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(Listings))
        {
            foreach (var file in Directory.GetFiles(Listings, "*.list"))
            {
                var digest = Path.GetFileNameWithoutExtension(file);
                if (!keep.Contains(digest))
                {
                    File.Delete(file);
                    continue;
                }
                foreach (var entry in TreeListing.Parse(File.ReadAllText(file)).Entries.Where(e => e.Kind == TreeEntryKind.File))
                {
                    used.Add(ObjectPath(entry.Hash, entry.Executable));
                }
            }
        }
        long freed = 0;
        if (Directory.Exists(Objects))
        {
            foreach (var file in Directory.EnumerateFiles(Objects, "*", SearchOption.AllDirectories).ToList())
            {
                if (!used.Contains(file))
                {
                    freed += new FileInfo(file).Length;
                    File.Delete(file);
                }
            }
        }
        return freed;
    }

    private static void MakeReadOnly(string path, bool executable)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            if (executable)
            {
                mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            }
            File.SetUnixFileMode(path, mode);
        }
    }
}
