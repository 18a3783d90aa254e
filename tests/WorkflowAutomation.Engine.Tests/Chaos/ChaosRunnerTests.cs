using System.Diagnostics;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Tests.Chaos;

/// <summary>The runner's safety gate, its revert on every path, and the rollback journal after a crash.</summary>
public sealed class ChaosRunnerTests : IDisposable
{
    private readonly TempFolder temp = new();

    private WorkflowConfiguration Configuration(bool enabled) => WorkflowConfiguration.Load(temp.State,
        new DictionaryEnvironment(new Dictionary<string, string> { ["CHAOS_ENABLED"] = enabled ? "true" : "false" }));

    private ChaosRunner Runner(bool enabled = true) => new(new ChaosRunnerOptions
    {
        State = temp.State,
        Configuration = Configuration(enabled),
        SampleInterval = TimeSpan.FromMilliseconds(100),
    });

    private string DataFile()
    {
        var path = Path.Combine(temp.Path, "data.bin");
        var bytes = new byte[10_000];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Every_fault_is_refused_while_CHAOS_ENABLED_is_false_and_nothing_is_touched()
    {
        var file = DataFile();
        var hash = RollbackJournal.Hash(file);
        var fault = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Corruption, Path = file }, temp.State);
        var refused = await Assert.ThrowsAsync<ChaosDisabledException>(() => Runner(enabled: false).RunAsync(fault, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal("ChaosDisabled", refused.ErrorId);
        Assert.Contains("CHAOS_ENABLED", refused.Message);
        Assert.Equal(hash, RollbackJournal.Hash(file));
        Assert.Throws<ChaosDisabledException>(() => ChaosPlan.Create(null, new ChaosFaultOptions { Type = ChaosFaultType.Cpu }, temp.State, Configuration(false)));
    }

    [Fact]
    public async Task A_cancelled_fault_is_reverted_recorded_as_aborted_and_leaves_no_journal()
    {
        var file = DataFile();
        var hash = RollbackJournal.Hash(file);
        var fault = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Corruption, Path = file, Bytes = 64, Seed = 1 }, temp.State);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();
        var result = await Runner().RunAsync(fault, TimeSpan.FromMinutes(5), cancel.Token);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(ChaosVerdict.Aborted, result.Verdict);
        Assert.True(result.Reverted);
        Assert.Equal(hash, RollbackJournal.Hash(file));
        Assert.Empty(Directory.GetFiles(RollbackJournal.Folder(temp.State)));
        using var store = ChaosStore.Open(temp.State);
        var stored = Assert.Single(store.Find(new ChaosResultQuery { Ids = [result.Id] }));
        Assert.Equal(ChaosVerdict.Aborted, stored.Verdict);
        Assert.Equal(64, stored.Latest("corruption.bytes_changed"));
    }

    [Fact]
    public void Recovery_restores_what_a_killed_test_left_and_leaves_running_tests_alone()
    {
        var file = DataFile();
        var hash = RollbackJournal.Hash(file);
        var filler = Path.Combine(temp.Path, ".chaos-fill-test");
        // A journal as a test killed mid-run leaves it: owned by a process that no longer exists.
        var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        var backup = Path.Combine(temp.Path, "data.bak");
        File.Copy(file, backup);
        var journalFolder = temp.State.EnsureFolder(Path.Combine(temp.State.EnsureFolder(temp.State.ChaosFolder), "rollback"));
        File.WriteAllText(Path.Combine(journalFolder, "crashed.json"), $$"""
            { "ResultId": "crashed", "OwnerPid": {{dead.Id}}, "OwnerStart": 0, "Entries": [
              { "Kind": "DeleteFile", "Path": "{{filler}}" },
              { "Kind": "RestoreFile", "Path": "{{file}}", "Backup": "{{backup}}", "Sha256": "{{hash}}" } ] }
            """);
        File.WriteAllText(filler, new string('x', 1000));
        File.WriteAllBytes(file, new byte[10]);
        // And one of a test still running in this process: recovery must not touch it.
        var live = RollbackJournal.Begin(temp.State, "live");
        var liveFiller = Path.Combine(temp.Path, ".chaos-fill-live");
        live.DeleteFileLater(liveFiller);
        File.WriteAllText(liveFiller, "busy");

        var touched = RollbackJournal.Recover(temp.State);

        Assert.Equal(2, touched.Count);
        Assert.All(touched, t => Assert.True(t.Reverted, t.Revert));
        Assert.False(File.Exists(filler));
        Assert.Equal(hash, RollbackJournal.Hash(file));
        Assert.True(File.Exists(liveFiller));
        Assert.Equal(["live.json"], Directory.GetFiles(journalFolder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Faults_side_by_side_in_one_result_each_close_their_own_journal()
    {
        var first = DataFile();
        var second = Path.Combine(temp.Path, "second.bin");
        File.Copy(first, second);
        var result = new ChaosResult { Id = "side-by-side", Type = ChaosFaultType.Corruption, Name = "two files" };
        var runner = Runner();
        var quick = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Corruption, Path = first }, temp.State);
        var slow = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Corruption, Path = second }, temp.State);

        // The quick one ends while the slow one still holds its file corrupted.
        await Task.WhenAll(runner.RunIntoAsync(result, quick, TimeSpan.FromMilliseconds(200), CancellationToken.None),
            runner.RunIntoAsync(result, slow, TimeSpan.FromSeconds(1.5), CancellationToken.None));

        Assert.True(result.Reverted);
        Assert.Empty(Directory.GetFiles(RollbackJournal.Folder(temp.State)));
    }

    public void Dispose() => temp.Dispose();
}
