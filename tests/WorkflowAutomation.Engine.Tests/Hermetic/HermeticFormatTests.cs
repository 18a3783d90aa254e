using WorkflowAutomation.Hermetic;

namespace WorkflowAutomation.Tests.Hermetic;

/// <summary>The manifest and lock formats: stable text, clear errors with file and line, newer formats refused.</summary>
public sealed class HermeticFormatTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void TheLockIsWrittenInAStableOrderWhateverTheOrderOfResolution()
    {
        HermeticLock Lock(params string[] names)
        {
            var section = new ManagerLock();
            foreach (var name in names)
            {
                section.Packages.Add(new LockedPackage { Name = name, Version = "1.0.0", Integrity = "sha512-AAAA+/==" });
                section.Requested[name] = "*";
            }
            return new HermeticLock { Name = "app", Managers = { [PackageManager.Pip] = section } };
        }

        var forward = Lock("alpha", "beta", "gamma").Serialize();
        Assert.Equal(forward, Lock("gamma", "alpha", "beta").Serialize());
        Assert.True(forward.IndexOf("alpha", StringComparison.Ordinal) < forward.IndexOf("gamma", StringComparison.Ordinal));
        // Integrity strings stay readable ('+' is not escaped), so a changed hash is a readable diff.
        Assert.Contains("sha512-AAAA+/==", forward);
        var reread = HermeticLock.Parse(forward, "hermetic.lock.json");
        Assert.Equal(forward, reread.Serialize());
        Assert.Equal(Lock("beta", "alpha", "gamma").TreeKey(), reread.TreeKey());
    }

    [Fact]
    public void ALockFromANewerFormatIsRefusedSayingWhatToDo()
    {
        var path = folder.File("hermetic.lock.json", """{ "lockVersion": 7, "name": "app", "managers": {} }""");
        var error = Assert.Throws<HermeticException>(() => HermeticLock.Load(path));
        Assert.Equal("HermeticLockFormatNewer", error.ErrorId);
        Assert.Contains("format 7", error.Message);
        Assert.Contains("Update-PSResource WorkflowAutomation", error.Message);
    }

    [Fact]
    public void AManifestWithAnUnknownManagerNamesTheFileAndLine()
    {
        var path = folder.File("hermetic.json", "{\n  \"name\": \"app\",\n  \"packages\": {\n    \"cargo\": { \"serde\": \"1\" }\n  }\n}\n");
        var error = Assert.Throws<HermeticException>(() => HermeticManifest.Load(path));
        Assert.Equal("HermeticManifestInvalid", error.ErrorId);
        Assert.StartsWith($"{path}:4:", error.Message);
        Assert.Contains("npm, pip, dotnet, psmodule", error.Message);
    }

    [Fact]
    public void AManifestEditIsReportedEntryByEntry()
    {
        var manifest = new HermeticManifest { Name = "app", Path = Path.Combine(folder.Path, "hermetic.json") }
            .WithPackage(PackageManager.Npm, "express", "4.21.2")
            .WithPackage(PackageManager.Npm, "lodash", "*");
        var section = new ManagerLock();
        section.Requested["express"] = "4.21.1";
        section.Requested["left-pad"] = "*";
        var lockFile = new HermeticLock { Name = "app", Managers = { [PackageManager.Npm] = section } };

        var problems = lockFile.Mismatches(manifest);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("'express' 4.21.2 but the lock was made for 4.21.1"));
        Assert.Contains(problems, p => p.Contains("'lodash'") && p.Contains("does not have"));
        Assert.Contains(problems, p => p.Contains("'left-pad' which the manifest no longer asks for"));
    }
}
