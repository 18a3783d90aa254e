using System.Buffers.Binary;
using System.Net.Sockets;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class DaemonHostTests
{
    private static DaemonHostOptions Options() => new() { GracePeriod = TimeSpan.FromSeconds(5), Mode = DaemonMode.Job };

    [Fact]
    public async Task Starts_running_answers_on_an_owner_only_socket_and_stops_cleanly()
    {
        using var temp = new TempFolder();
        var host = new DaemonHost(temp.State, Options());
        Assert.Equal(DaemonState.Stopped, host.Lifecycle);
        await host.StartAsync();
        Assert.Equal(DaemonState.Running, host.Lifecycle);
        var paths = new DaemonPaths(temp.State);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.Socket));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(paths.Folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.TokenFile));
        }
        using (var client = DaemonClient.Connect(temp.State))
        {
            var status = await client.SendAsync<DaemonStatus>(DaemonOperations.Status);
            Assert.NotNull(status);
            Assert.Equal(DaemonState.Running, status.State);
            Assert.Equal(Environment.ProcessId, status.ProcessId);
            Assert.Equal(HealthStatus.Healthy, status.Health);
            Assert.Contains(status.HealthChecks, check => check.Name == "Socket" && check.Status == HealthStatus.Healthy);
            Assert.Contains(status.HealthChecks, check => check.Name == "Database");
            Assert.Contains(status.HealthChecks, check => check.Name == "Disk");
            // The same connection carries several requests in turn.
            Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping));
        }
        await host.StopAsync();
        Assert.Equal(DaemonState.Stopped, host.Lifecycle);
        Assert.True(host.Completion.IsCompleted);
        Assert.False(File.Exists(paths.Socket));
        Assert.False(File.Exists(paths.PidFile));
        Assert.Throws<DaemonNotRunningException>(() => DaemonClient.Connect(temp.State));
        Assert.Contains("Stopped", File.ReadAllText(paths.LogFile));
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_state_directory_is_refused_and_the_first_keeps_running()
    {
        using var temp = new TempFolder();
        await using var first = new DaemonHost(temp.State, Options());
        await first.StartAsync();
        var second = new DaemonHost(temp.State, Options());
        var refused = await Assert.ThrowsAsync<DaemonAlreadyRunningException>(() => second.StartAsync());
        Assert.Equal(Environment.ProcessId, refused.ProcessId);
        Assert.Equal(DaemonState.Stopped, second.Lifecycle);
        using var client = DaemonClient.Connect(temp.State);
        Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping));
    }

    [Fact]
    public async Task Refuses_a_state_directory_that_others_can_write()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        File.SetUnixFileMode(temp.Path, (UnixFileMode)Convert.ToInt32("775", 8));
        var host = new DaemonHost(temp.State, Options());
        var refused = await Assert.ThrowsAsync<StateDirectoryInsecureException>(() => host.StartAsync());
        Assert.Equal("StateDirectoryInsecure", refused.ErrorId);
        Assert.Contains("chmod 700", refused.Message);
        Assert.False(File.Exists(new DaemonPaths(temp.State).Socket));
        Assert.Equal((UnixFileMode)Convert.ToInt32("775", 8), File.GetUnixFileMode(temp.Path));
    }

    [Fact]
    public void Without_a_daemon_clients_are_told_how_to_start_one()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<DaemonNotRunningException>(() => DaemonClient.Connect(temp.State));
        Assert.Equal("DaemonNotRunning", error.ErrorId);
        Assert.Contains("Start-WorkflowDaemon", error.Message);
    }

    [Fact]
    public async Task Bad_input_on_the_socket_ends_that_connection_not_the_daemon()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        await using var host = new DaemonHost(temp.State, Options());
        await host.StartAsync();
        var paths = new DaemonPaths(temp.State);
        using (var raw = new Ipc.RawIpcClient(paths))
        {
            raw.SendJson("{bad}");
            Assert.Equal("DaemonRequestInvalid", raw.Receive().ErrorId);
        }
        using (var raw = new Ipc.RawIpcClient(paths))
        {
            raw.SendHeader(int.MaxValue);
            Assert.Equal("DaemonRequestTooLarge", raw.Receive().ErrorId);
            Assert.True(raw.ClosedByDaemon());
        }
        using var client = DaemonClient.Connect(temp.State);
        var unknown = await Assert.ThrowsAsync<WorkflowAutomation.Common.WorkflowAutomationException>(() => client.SendAsync<string>("launch-rockets"));
        Assert.Equal("DaemonUnknownOperation", unknown.ErrorId);
        Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping));
        Assert.Equal(DaemonState.Running, host.Lifecycle);
    }

    [Fact]
    public async Task A_stop_request_over_the_socket_stops_the_daemon()
    {
        using var temp = new TempFolder();
        var host = new DaemonHost(temp.State, Options());
        await host.StartAsync();
        using (var client = DaemonClient.Connect(temp.State))
        {
            var status = await client.SendAsync<DaemonStatus>(DaemonOperations.Stop, new StopRequest { GraceSeconds = 1 });
            Assert.Equal(DaemonState.Running, status!.State);
        }
        await host.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(DaemonState.Stopped, host.Lifecycle);
        Assert.False(InstanceLock.IsHeld(new DaemonPaths(temp.State)));
    }
}
