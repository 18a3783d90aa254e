using System.Diagnostics;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;

namespace WorkflowAutomation.Tests.Daemon.Ipc;

/// <summary>Clients that hold connections, declare large messages or send slowly cannot exhaust or silence the daemon.</summary>
public sealed class IpcLimitsTests
{
    private static DaemonHost Host(TempFolder temp, IpcServerOptions ipc) =>
        new(temp.State, new DaemonHostOptions { Mode = DaemonMode.Job, GracePeriod = TimeSpan.FromSeconds(5), Ipc = ipc });

    [Fact]
    public async Task Hundreds_of_idle_connections_and_unsent_16_MiB_messages_leave_ping_answering_and_memory_bounded()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        var limits = new IpcServerOptions { MaxConnections = 32 };
        await using var host = Host(temp, limits);
        await host.StartAsync();
        var paths = new DaemonPaths(temp.State);
        var clients = new List<RawIpcClient>();
        try
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            for (var index = 0; index < 300; index++)
            {
                clients.Add(new RawIpcClient(paths));
            }
            for (var index = 0; index < 40; index++)
            {
                var declaring = new RawIpcClient(paths);
                declaring.SendHeader(IpcFraming.MaxMessageBytes);
                clients.Add(declaring);
            }
            for (var round = 0; round < 5; round++)
            {
                var clock = Stopwatch.StartNew();
                using var client = DaemonClient.Connect(temp.State);
                Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping).WaitAsync(TimeSpan.FromSeconds(5)));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"ping took {clock.Elapsed}");
            }
            Assert.InRange(host.Ipc!.OpenConnections, 0, limits.MaxConnections);
            // 40 declared 16 MiB messages would be 640 MiB if the declared length were allocated.
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Assert.True(allocated < 200L * 1024 * 1024, $"{allocated / (1024 * 1024)} MiB allocated");
            Assert.Equal(DaemonState.Running, host.Lifecycle);
            Assert.Equal(HealthStatus.Healthy, (await host.CheckHealthAsync()).Status);
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task Idle_connections_and_slow_senders_are_closed_after_their_timeouts()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        await using var host = Host(temp, new IpcServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300), TransferTimeout = TimeSpan.FromMilliseconds(300) });
        await host.StartAsync();
        var paths = new DaemonPaths(temp.State);
        using var idle = new RawIpcClient(paths, TimeSpan.FromSeconds(5));
        using var slow = new RawIpcClient(paths, TimeSpan.FromSeconds(5));
        slow.SendHeader(100);
        var clock = Stopwatch.StartNew();
        Assert.True(idle.ClosedByDaemon());
        Assert.True(slow.ClosedByDaemon());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"closed after {clock.Elapsed}");
        Assert.Equal(0, host.Ipc!.PayloadBytesInFlight);
        using var client = DaemonClient.Connect(temp.State);
        Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping));
    }

    [Fact]
    public async Task A_newcomer_is_told_the_daemon_is_busy_when_every_connection_is_being_answered()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        await using var host = Host(temp, new IpcServerOptions { MaxConnections = 2 });
        await host.StartAsync();
        var file = temp.File("gate.yaml", "name: gate\nsteps:\n  - name: deploy\n    command: echo deploy\n    shell: sh\n    approval_required: true\n");
        WorkflowAutomation.Workflows.WorkflowRun run;
        using (var submitter = DaemonClient.Connect(temp.State))
        {
            run = (await submitter.SendAsync<WorkflowAutomation.Workflows.WorkflowRun>(DaemonOperations.Submit,
                new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) }))!;
        }
        // The submitter's connection is gone before the two that fill the limit come.
        for (var attempt = 0; attempt < 200 && host.Ipc!.OpenConnections > 0; attempt++)
        {
            await Task.Delay(10);
        }
        using var first = DaemonClient.Connect(temp.State);
        using var second = DaemonClient.Connect(temp.State);
        var waits = new[] { first, second }.Select(client =>
            client.SendAsync<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = run.Id, TimeoutSeconds = 3 })).ToList();
        await Task.Delay(500);
        using var newcomer = DaemonClient.Connect(temp.State);
        var busy = await Assert.ThrowsAsync<WorkflowAutomation.Common.WorkflowAutomationException>(() => newcomer.SendAsync<string>(DaemonOperations.Ping));
        Assert.Equal("DaemonBusy", busy.ErrorId);
        Assert.Contains("Try again", busy.Message);
        await Task.WhenAll(waits);
        using var later = DaemonClient.Connect(temp.State);
        Assert.Equal("pong", await later.SendAsync<string>(DaemonOperations.Ping));
    }
}
