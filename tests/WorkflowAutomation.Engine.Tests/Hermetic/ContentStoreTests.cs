using WorkflowAutomation.Hermetic;

namespace WorkflowAutomation.Tests.Hermetic;

/// <summary>The shared store: files are hard links of one object; a corrupt object is found by its hash.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContentStoreTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Tree(string name)
    {
        var root = Path.Combine(folder.Path, name);
        Directory.CreateDirectory(Path.Combine(root, "lib", "empty"));
        File.WriteAllText(Path.Combine(root, "lib", "a.js"), "module.exports = 1;\n");
        File.WriteAllText(Path.Combine(root, "lib", "same.js"), "module.exports = 1;\n");
        File.WriteAllText(Path.Combine(root, "run.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(root, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(root, "link"), "lib/a.js");
        return root;
    }

    [Fact]
    public void AMaterialisedTreeIsIdenticalAndSharesItsFilesWithTheStore()
    {
        var store = new ContentStore(Path.Combine(folder.Path, "store"));
        var original = TreeListing.Scan(Tree("first"));
        store.Ingest(Path.Combine(folder.Path, "first"), original);

        var copy = Path.Combine(folder.Path, "copy");
        Assert.True(store.TryMaterialize(store.LoadListing(original.Digest)!, copy));
        var copied = TreeListing.Scan(copy);
        Assert.Equal(original.Digest, copied.Digest);
        Assert.Contains(copied.Entries, e => e.Path == "run.sh" && e.Executable);
        Assert.Contains(copied.Entries, e => e.Path == "link" && e.LinkTarget == "lib/a.js");
        Assert.Contains(copied.Entries, e => e.Path == "lib/empty" && e.Kind == TreeEntryKind.Directory);
        // One object behind both trees: the copy costs no file data.
        var objectPath = store.ObjectPath(copied.Entries.Single(e => e.Path == "lib/a.js").Hash, executable: false);
        File.SetUnixFileMode(objectPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.AppendAllText(objectPath, "// through the store\n");
        Assert.EndsWith("// through the store\n", File.ReadAllText(Path.Combine(copy, "lib", "a.js")));
        Assert.EndsWith("// through the store\n", File.ReadAllText(Path.Combine(folder.Path, "first", "lib", "same.js")));
    }

    [Fact]
    public void ACorruptObjectIsFoundRemovedAndNothingIsMaterialised()
    {
        var store = new ContentStore(Path.Combine(folder.Path, "store"));
        var listing = TreeListing.Scan(Tree("first"));
        store.Ingest(Path.Combine(folder.Path, "first"), listing);
        var entry = listing.Entries.First(e => e.Path == "run.sh");
        var objectPath = store.ObjectPath(entry.Hash, entry.Executable);
        File.Delete(objectPath);
        File.WriteAllText(objectPath, "#!/bin/sh\necho HI\n");

        var target = Path.Combine(folder.Path, "target");
        Assert.False(store.TryMaterialize(listing, target));
        Assert.False(File.Exists(objectPath));
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void ComparingTreesNamesEachChangedAddedAndMissingPath()
    {
        var root = Tree("tree");
        var before = TreeListing.Scan(root);
        File.WriteAllText(Path.Combine(root, "lib", "a.js"), "module.exports = 2;\n");
        File.Delete(Path.Combine(root, "lib", "same.js"));
        File.WriteAllText(Path.Combine(root, "extra.js"), "x");
        var differences = TreeListing.Compare(before, TreeListing.Scan(root));
        Assert.Equal(
            ["Added extra.js", "Changed lib/a.js", "Missing lib/same.js"],
            differences.Select(d => $"{d.Kind} {d.Path}").Order());
    }

    [Fact]
    public void AFileChangedSinceTheLastVerifyIsHashedAgainEvenWithItsOldSize()
    {
        var root = Tree("tree");
        var clean = TreeListing.Scan(root);
        var stamps = clean.Entries.Where(e => e.Kind == TreeEntryKind.File).ToDictionary(e => e.Path, e => new FileStamp(e.Size, e.Ticks, e.Hash));
        Assert.Equal(clean.Digest, TreeListing.Scan(root, stamps).Digest);

        var file = Path.Combine(root, "lib", "a.js");
        File.WriteAllText(file, "module.exports = 9;\n");
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));
        var changed = TreeListing.Compare(clean, TreeListing.Scan(root, stamps));
        Assert.Equal("Changed lib/a.js", Assert.Single(changed.Select(d => $"{d.Kind} {d.Path}")));

        // Size and time put back by hand: only a full verify (no stamps) reads the content again.
        File.SetLastWriteTimeUtc(file, new DateTime(clean.Entries.Single(e => e.Path == "lib/a.js").Ticks, DateTimeKind.Utc));
        Assert.Empty(TreeListing.Compare(clean, TreeListing.Scan(root, stamps)));
        Assert.Single(TreeListing.Compare(clean, TreeListing.Scan(root)));
    }
}
