using WorkflowAutomation.Hermetic;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Tests.Hermetic;

/// <summary>
/// The whole life of an environment with real pip and real wheels: install, lock, verify,
/// tamper, refuse a stale lock, restore on a fresh state directory, a corrupt cache entry.
/// </summary>
public sealed class HermeticPipTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string project;
    private readonly string wheels;

    public HermeticPipTests()
    {
        project = Path.Combine(folder.Path, "project");
        wheels = Path.Combine(project, "wheels");
        Wheels.Build(wheels, "demo-pkg", "1.0.0", "from demo_dep import VALUE as DEP\nVALUE = 'demo ' + DEP\n", "demo-dep");
        Wheels.Build(wheels, "demo-dep", "2.0.0", "VALUE = 'dep 2'\n");
    }

    public void Dispose() => folder.Dispose();

    private HermeticService Service(string state) => new(new StateDirectory(Path.Combine(folder.Path, state)).HermeticFolder);

    [Fact]
    public void InstallLockVerifyTamperAndRestoreElsewhere()
    {
        var service = Service("state");
        service.Create("py", project);
        var installed = service.Install("py", PackageManager.Pip, "demo-pkg", "1.0.0", "./wheels");

        Assert.Equal(["demo-dep 2.0.0", "demo-pkg 1.0.0"], installed.Packages.Select(p => $"{p.Name} {p.Version}").Order());
        Assert.All(installed.Packages, p => Assert.StartsWith("sha512-", p.Integrity));
        // Not locked yet: verify says so.
        Assert.Contains(service.Test("py"), d => d.Kind == HermeticDriftKind.NotLocked);

        service.Lock("py");
        Assert.Empty(service.Test("py"));
        var lockText = File.ReadAllText(Path.Combine(project, HermeticLock.FileName));
        Assert.Contains("\"demo-dep\"", lockText);

        // The package imports inside the environment's venv.
        var isolation = service.Isolation("py");
        var python = Path.Combine(isolation.Tree, "pip", "venv", "bin", "python");
        var run = ToolRunner.Run(python, ["-c", "import demo_pkg; print(demo_pkg.VALUE)"], isolation.Variables, project, CancellationToken.None);
        Assert.Equal("demo dep 2", run.Output.Trim());

        // Restoring on a fresh state directory from the manifest and lock alone gives the same trees.
        var elsewhere = Service("state2");
        var restored = elsewhere.Restore(project);
        Assert.Equal(service.Get("py").Tree, restored.Tree);
        Assert.Equal(
            File.ReadAllText(Path.Combine(service.Get("py").TreePath!, ".hermetic", "pip.list")),
            File.ReadAllText(Path.Combine(restored.TreePath!, ".hermetic", "pip.list")));
        Assert.Empty(elsewhere.Test("py"));

        // A changed file is named with its path.
        var init = Directory.GetFiles(restored.TreePath!, "__init__.py", SearchOption.AllDirectories).First(f => f.Contains("demo_dep"));
        File.Delete(init);
        File.WriteAllText(init, "VALUE = 'tampered'\n");
        var drift = Assert.Single(elsewhere.Test("py"));
        Assert.Equal(HermeticDriftKind.Changed, drift.Kind);
        Assert.EndsWith("site-packages/demo_dep/__init__.py", drift.Path);
    }

    [Fact]
    public void AWheelThatChangedSinceItWasLockedIsRefused()
    {
        var service = Service("state");
        service.Create("py", project);
        service.Install("py", PackageManager.Pip, "demo-dep", "2.0.0", "./wheels");
        service.Lock("py");
        Wheels.Build(wheels, "demo-dep", "2.0.0", "VALUE = 'swapped'\n");

        var fresh = Service("fresh");
        var error = Assert.Throws<HermeticException>(() => fresh.Restore(project));
        Assert.Equal("HermeticIntegrityMismatch", error.ErrorId);
        Assert.Empty(fresh.Get());
    }

    [Fact]
    public void ACorruptCacheEntryIsFoundByItsHashAndFetchedAgain()
    {
        var service = Service("state");
        service.Create("py", project);
        service.Install("py", PackageManager.Pip, "demo-dep", "2.0.0", "./wheels");
        service.Lock("py");
        var store = Path.Combine(folder.Path, "state", "environments", "cache", "store", "objects");
        // Corrupt every object without touching the installed tree's inodes.
        foreach (var file in Directory.GetFiles(store, "*", SearchOption.AllDirectories))
        {
            File.Delete(file);
            File.WriteAllText(file, "corrupt");
        }
        var second = Path.Combine(folder.Path, "project2");
        Directory.CreateDirectory(second);
        File.Copy(Path.Combine(project, HermeticManifest.FileName), Path.Combine(second, HermeticManifest.FileName));
        File.Copy(Path.Combine(project, HermeticLock.FileName), Path.Combine(second, HermeticLock.FileName));
        Directory.Delete(service.Get("py").TreePath!, recursive: true);

        var restored = service.Restore(second);
        Assert.Empty(service.Test("py"));
        var init = Directory.GetFiles(restored.TreePath!, "__init__.py", SearchOption.AllDirectories).First(f => f.Contains("demo_dep"));
        Assert.Equal("VALUE = 'dep 2'\n", File.ReadAllText(init));
    }
}
