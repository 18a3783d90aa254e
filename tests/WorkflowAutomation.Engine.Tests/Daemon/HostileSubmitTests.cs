using System.Diagnostics;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Tests.Workflows;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>A submission written to hang or crash the daemon is refused with the reason, and the daemon carries on.</summary>
public sealed class HostileSubmitTests
{
    private static DaemonHost Host(TempFolder temp, Dictionary<string, string> settings) =>
        new(temp.State, new DaemonHostOptions
        {
            Mode = DaemonMode.Job,
            GracePeriod = TimeSpan.FromSeconds(5),
            Configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(settings)),
        });

    [Fact]
    public async Task Under_STRICT_INTERPOLATION_the_daemon_refuses_a_value_pasted_into_a_command()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp, new() { ["STRICT_INTERPOLATION"] = "true" });
        await host.StartAsync();
        const string yaml = "name: pasted\ninputs: { who: world }\nsteps:\n  - { name: a, shell: sh, command: 'echo ${{ inputs.who }}' }\n";
        using var client = DaemonClient.Connect(temp.State);

        var refused = Assert.Throws<WorkflowAutomationException>(() =>
            client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = "/tmp/pasted.yaml", Yaml = yaml, Parameters = [] }));

        Assert.Contains("/tmp/pasted.yaml:4:", refused.Message);
        Assert.Contains("Strict interpolation is on", refused.Message);
    }

    [Fact]
    public async Task An_alias_bomb_and_a_negation_chain_are_refused_and_the_daemon_keeps_answering()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp, []);
        await host.StartAsync();
        var bomb = HostileInputTests.AliasBomb(10);
        var bangs = "name: bang\nsteps:\n  - name: a\n    command: echo hi\n    condition: \"" + new string('!', 2_000_000) + "success()\"\n";
        using var client = DaemonClient.Connect(temp.State);

        var watch = Stopwatch.StartNew();
        var refusedBomb = Assert.Throws<WorkflowAutomationException>(() =>
            client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = "/tmp/bomb.yaml", Yaml = bomb, Parameters = [] }));
        var refusedBangs = Assert.Throws<WorkflowAutomationException>(() =>
            client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = "/tmp/bang.yaml", Yaml = bangs, Parameters = [] }));
        watch.Stop();

        Assert.True(bomb.Length < 700, "a few hundred bytes that stand for 3.5 billion nodes");
        Assert.Contains("1,000,000 YAML nodes", refusedBomb.Message);
        Assert.Contains("/tmp/bomb.yaml:", refusedBomb.Message);
        Assert.Contains("at most 10,000 characters", refusedBangs.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var good = temp.File("good.yaml", "name: good\nsteps:\n  - name: a\n    shell: sh\n    command: echo hi\n");
        var run = client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = good, Yaml = File.ReadAllText(good), Parameters = [] });
        Assert.Equal("good", run!.Name);
    }
}
