using System.Diagnostics;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Tests.Chaos;

/// <summary>The netem fault's target and rule arguments, the CPU fault's two engines, and recovery of what the suite and stress-ng leave.</summary>
public sealed class NetemAndLoadTests : IDisposable
{
    private readonly TempFolder temp = new();

    private ChaosRunner Runner() => new(new ChaosRunnerOptions
    {
        State = temp.State,
        Configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(new Dictionary<string, string> { ["CHAOS_ENABLED"] = "true" })),
        SampleInterval = TimeSpan.FromMilliseconds(500),
    });

    [Theory]
    [InlineData("10.0.0.2", "10.0.0.2", null)]
    [InlineData("db.internal:5432", "db.internal", 5432)]
    [InlineData("[fd00::2]:80", "fd00::2", 80)]
    [InlineData("fd00::2", "fd00::2", null)]
    public void A_netem_target_is_a_host_with_an_optional_port(string target, string host, int? port)
    {
        Assert.Equal((host, port), NetemFault.ParseTarget(target));
    }

    [Theory]
    [InlineData("db:0")]
    [InlineData("db:http")]
    [InlineData(":80")]
    public void A_bad_netem_target_names_the_form_expected(string target)
    {
        var error = Assert.Throws<ChaosException>(() => NetemFault.ParseTarget(target));
        Assert.Equal(ErrorIds.ChaosInvalidTarget, error.ErrorId);
        Assert.Contains("host:port", error.Message);
    }

    [Fact]
    public void The_netem_rule_carries_delay_jitter_loss_and_corruption_as_tc_spells_them()
    {
        Assert.Equal(["delay", "100ms", "10ms", "loss", "5%", "corrupt", "0.5%"], new NetemSettings(100, 10, 5, 0.5).Arguments());
        Assert.Equal(["loss", "100%"], new NetemSettings(0, 0, 100, 0).Arguments());
        Assert.Equal("delay 100±10 ms, loss 5 %", new NetemSettings(100, 10, 5, 0).ToString());
    }

    [Fact]
    public void A_netem_fault_without_an_effect_is_refused_before_anything_is_touched()
    {
        var error = Assert.Throws<ChaosException>(() => ChaosFaults.Create(
            new ChaosFaultOptions { Type = ChaosFaultType.Network, Netem = true, Target = "10.0.0.2" }, temp.State));
        Assert.Equal(ErrorIds.ChaosMissingArgument, error.ErrorId);
    }

    [Fact]
    public async Task The_threads_engine_keeps_a_core_at_the_share_asked()
    {
        var result = await Runner().RunAsync(new CpuFault(40, 1), TimeSpan.FromSeconds(3), CancellationToken.None);
        Assert.Equal("threads", result.Parameters["Engine"]);
        AssertLoad(result, 40);
    }

    [Fact]
    public async Task The_stress_ng_engine_keeps_a_core_at_the_share_asked_and_leaves_no_process()
    {
        var stressNg = HostCommand.Which("stress-ng");
        Assert.True(stressNg is not null, "stress-ng is missing: ./build.ps1 Test installs it (apt-get install -y stress-ng).");
        var result = await Runner().RunAsync(new CpuFault(40, 1, stressNg, TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(3), CancellationToken.None);
        Assert.Equal("stress-ng", result.Parameters["Engine"]);
        AssertLoad(result, 40);
        var touch = Assert.Single(result.Touched);
        Assert.True(touch.Reverted, touch.Revert);
        var pid = int.Parse(touch.What.Split("pid ")[1].TrimEnd(')'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            "stress-ng still runs after the revert");
        Assert.Empty(ChildrenOf(pid));
    }

    /// <summary>Within tolerance, or below it on a machine with no idle CPU, which the result then says.</summary>
    private static void AssertLoad(ChaosResult result, double percent)
    {
        Assert.Equal(ChaosVerdict.Passed, result.Verdict);
        var measured = result.Mean("cpu.fault_percent")!.Value;
        Assert.True(measured <= percent + CpuFault.Tolerance, $"measured {measured:0.#} %");
        if (measured < percent - CpuFault.Tolerance)
        {
            Assert.Contains("saturated", result.Message);
        }
    }

    private static IEnumerable<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Stat: TryRead($"/proc/{name}/stat")))
            .Where(p => p.Stat is { } stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => p.Pid);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public void Recovery_kills_a_load_generator_and_removes_a_scratch_folder_a_killed_test_left()
    {
        var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        using var orphan = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        var scratch = Directory.CreateDirectory(Path.Combine(temp.Path, "scratch-suite")).FullName;
        File.WriteAllText(Path.Combine(scratch, "runs.db"), "x");
        var journalFolder = temp.State.EnsureFolder(Path.Combine(temp.State.EnsureFolder(temp.State.ChaosFolder), "rollback"));
        File.WriteAllText(Path.Combine(journalFolder, "crashed.json"), $$"""
            { "ResultId": "crashed", "OwnerPid": {{dead.Id}}, "OwnerStart": 0, "Entries": [
              { "Kind": "DeleteFolder", "Path": "{{scratch}}" },
              { "Kind": "StopDaemon", "Path": "{{scratch}}" },
              { "Kind": "KillProcess", "Path": "stress-ng", "Pid": {{orphan.Id}}, "StartTicks": {{orphan.StartTime.ToUniversalTime().Ticks}} } ] }
            """);

        var touched = RollbackJournal.Recover(temp.State);

        Assert.Equal(3, touched.Count);
        Assert.All(touched, t => Assert.True(t.Reverted, t.Revert));
        Assert.True(orphan.WaitForExit(5000), "the load generator was not killed");
        Assert.False(Directory.Exists(scratch));
        Assert.Empty(Directory.GetFiles(journalFolder));
    }

    [Fact]
    public void Recovery_leaves_a_recycled_pid_alone()
    {
        var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        using var stranger = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            var journalFolder = temp.State.EnsureFolder(Path.Combine(temp.State.EnsureFolder(temp.State.ChaosFolder), "rollback"));
            // Same pid, another start time: not the process the test started.
            File.WriteAllText(Path.Combine(journalFolder, "crashed.json"), $$"""
                { "ResultId": "crashed", "OwnerPid": {{dead.Id}}, "OwnerStart": 0, "Entries": [
                  { "Kind": "KillProcess", "Path": "stress-ng", "Pid": {{stranger.Id}}, "StartTicks": 1 } ] }
                """);
            var touched = Assert.Single(RollbackJournal.Recover(temp.State));
            Assert.Contains("another process", touched.Revert);
            Assert.False(stranger.HasExited);
        }
        finally
        {
            stranger.Kill();
        }
    }

    [Fact]
    public void The_suite_runs_the_experiments_named_and_refuses_a_name_it_does_not_know()
    {
        var configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(new Dictionary<string, string> { ["CHAOS_ENABLED"] = "true" }));
        var launch = new WorkflowAutomation.Daemon.DaemonLaunchSettings { PwshPath = "pwsh", ModuleManifest = "WorkflowAutomation.psd1" };
        var plan = new ChaosSuite(temp.State, configuration, new ChaosSuiteOptions { Launch = launch, Experiments = ["DISK", "inbox"] }).Plan();
        // The scratch folder and daemon, the two experiments, the teardown.
        Assert.Equal(5, plan.Count);
        Assert.Contains(plan, line => line.StartsWith("Fill the scratch state directory's own 64 MB tmpfs", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("SIGKILL", StringComparison.Ordinal));

        var error = Assert.Throws<ChaosException>(() => new ChaosSuite(temp.State, configuration, new ChaosSuiteOptions { Launch = launch, Experiments = ["disk", "network"] }));
        Assert.Equal(ErrorIds.ChaosInvalidArgument, error.ErrorId);
        Assert.Contains("'network'", error.Message);
        Assert.Contains("kill, cpu, memory, disk, inbox, webhook", error.Message);
    }

    [Fact]
    public void The_memory_measure_counts_anonymous_pages_not_a_mapped_file()
    {
        // File-backed pages come and go with the page cache; the fault's pages are anonymous.
        var file = Path.Combine(temp.Path, "mapped.bin");
        using (var stream = File.Create(file))
        {
            stream.SetLength(64L * 1024 * 1024);
        }
        var before = MemoryFault.ResidentBytes();
        using var map = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(file, FileMode.Open);
        using var view = map.CreateViewAccessor();
        for (long offset = 0; offset < 64L * 1024 * 1024; offset += 4096)
        {
            view.Write(offset, (byte)1);
        }
        var mapped = MemoryFault.ResidentBytes() - before;
        Assert.True(mapped < 16L * 1024 * 1024, $"{mapped / 1024 / 1024} MB of a touched 64 MB file mapping counted");
    }

    public void Dispose() => temp.Dispose();
}
