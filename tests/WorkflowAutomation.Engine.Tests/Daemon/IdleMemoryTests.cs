using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>An idle daemon gives back the memory its busy spell took, once per quiet spell.</summary>
public sealed class IdleMemoryTests
{
    [Fact]
    public void Memory_is_given_back_once_per_quiet_spell_and_never_while_there_is_work()
    {
        var time = new FakeTimeProvider();
        var idle = new IdleMemory(time, TimeSpan.FromSeconds(2));
        Assert.False(idle.Due(working: false, events: 0));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(idle.Due(working: false, events: 0));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(idle.Due(working: false, events: 0));
        // Work: runs queued, then a run accepted and ended (the event count moves).
        Assert.False(idle.Due(working: true, events: 0));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(idle.Due(working: false, events: 3));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(idle.Due(working: false, events: 3));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(idle.Due(working: false, events: 3));
        Assert.False(idle.Due(working: false, events: 3));
    }

    [Fact]
    public async Task A_daemon_that_has_run_work_and_gone_quiet_says_it_gave_memory_back()
    {
        using var temp = new TempFolder();
        await using var host = new DaemonHost(temp.State, new DaemonHostOptions
        {
            Mode = DaemonMode.Job,
            GracePeriod = TimeSpan.FromSeconds(5),
            SchedulerTick = TimeSpan.FromMilliseconds(50),
            IdleMemoryTrim = TimeSpan.FromMilliseconds(300),
            Configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(new Dictionary<string, string>())),
        });
        await host.StartAsync();
        int Trims() => File.ReadAllLines(host.Log.Path).Count(line => line.Contains("Idle: memory given back", StringComparison.Ordinal));
        var file = temp.File("one.yaml", "name: one\nsteps:\n  - name: a\n    shell: sh\n    command: 'true'\n");
        using (var client = DaemonClient.Connect(temp.State))
        {
            var run = client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) })!;
            Assert.True(await host.Dispatcher.WaitAsync(run.Id, TimeSpan.FromSeconds(30), CancellationToken.None));
        }
        var afterWork = Trims();
        for (var attempt = 0; attempt < 400 && Trims() == afterWork; attempt++)
        {
            await Task.Delay(25);
        }
        Assert.Equal(afterWork + 1, Trims());
        // Quiet goes on: nothing more to give back.
        await Task.Delay(TimeSpan.FromMilliseconds(800));
        Assert.Equal(afterWork + 1, Trims());
    }
}
