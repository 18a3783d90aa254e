using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>The socket opens while the daemon still starts: what a client asks meanwhile waits for the start.</summary>
public sealed class DaemonStartTests
{
    /// <summary>A component that holds the start until it is let go.</summary>
    private sealed class HeldComponent : IDaemonComponent
    {
        public ManualResetEventSlim Reached { get; } = new();

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "Held";

        public string? Address => null;

        public async Task StartAsync(DaemonHost host, CancellationToken cancellation)
        {
            Reached.Set();
            await Release.Task.WaitAsync(cancellation);
        }

        public Task StopAsync() => Task.CompletedTask;

        public HealthCheckResult CheckHealth() => HealthCheckResult.Healthy(Name, "held until let go");
    }

    [Fact]
    public async Task A_status_asked_to_wait_and_a_submit_sent_during_the_start_are_answered_once_it_runs()
    {
        using var temp = new TempFolder();
        var held = new HeldComponent();
        await using var host = new DaemonHost(temp.State, new DaemonHostOptions { Mode = DaemonMode.Job, GracePeriod = TimeSpan.FromSeconds(5), Components = [held] });
        var starting = host.StartAsync();
        Assert.True(held.Reached.Wait(TimeSpan.FromSeconds(30)));
        var file = temp.File("early.yaml", "name: early\nsteps:\n  - name: a\n    shell: sh\n    command: 'true'\n");

        using var client = DaemonClient.Connect(temp.State);
        Assert.Equal(DaemonState.Starting, client.Send<DaemonStatus>(DaemonOperations.Status)!.State);
        client.Post(DaemonOperations.Status, new StatusRequest { WaitUntilRunningSeconds = 30 });
        client.Post(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) });
        await Task.Delay(300);
        Assert.False(client.AnswerReady, "answered before the daemon ran");

        held.Release.SetResult();
        await starting;
        Assert.Equal(DaemonState.Running, client.Receive<DaemonStatus>().Value!.State);
        var submitted = client.Receive<WorkflowRun>();
        Assert.Null(submitted.Error);
        Assert.True(await host.Dispatcher.WaitAsync(submitted.Value!.Id, TimeSpan.FromSeconds(30), CancellationToken.None));
    }
}
