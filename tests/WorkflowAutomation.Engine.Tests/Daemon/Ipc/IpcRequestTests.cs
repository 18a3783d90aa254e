using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon.Ipc;

/// <summary>Every request gets an answer that says what is wrong; only holders of the token change state.</summary>
public sealed class IpcRequestTests : IAsyncLifetime
{
    private readonly TempFolder temp = new();
    private DaemonHost host = null!;
    private DaemonPaths paths = null!;

    public async Task InitializeAsync()
    {
        host = new DaemonHost(temp.State, new DaemonHostOptions { Mode = DaemonMode.Job, GracePeriod = TimeSpan.FromSeconds(5) });
        await host.StartAsync();
        paths = new DaemonPaths(temp.State);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        temp.Dispose();
    }

    private string Workflow(string name = "hello") =>
        temp.File(name + ".yaml", $"name: {name}\nsteps:\n  - name: greet\n    command: echo hi\n    shell: sh\n");

    [Theory]
    [InlineData("""{"Op": "submit", "Body": {"Path": "/x/evil.yaml", "Yaml": "name: evil\nsteps:\n  - name: s\n    command: touch /tmp/owned\n"}}""")]
    [InlineData("""{"Op": "stop", "Body": {"GraceSeconds": 0}}""")]
    [InlineData("""{"Op": "cancel", "Body": {"RunId": "any"}}""")]
    [InlineData("""{"Op": "answer", "Body": {"RunId": "any", "Step": "deploy", "Approve": true}}""")]
    [InlineData("""{"Op": "reset-breaker", "Body": {"Name": "*"}}""")]
    public void A_raw_client_with_only_the_socket_path_cannot_change_state(string request)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var raw = new RawIpcClient(paths);
        raw.SendJson(request);
        var missing = raw.Receive();
        Assert.False(missing.Ok);
        Assert.Equal("DaemonTokenRequired", missing.ErrorId);
        Assert.Equal(nameof(ErrorKind.PermissionDenied), missing.Kind);
        Assert.Contains("token", missing.Message);

        raw.SendJson(request.Insert(1, "\"Token\": \"" + new string('0', 64) + "\", "));
        var wrong = raw.Receive();
        Assert.Equal("DaemonTokenInvalid", wrong.ErrorId);

        // Reading needs no token; nothing was queued and the daemon still runs.
        raw.SendJson("""{"Op": "status"}""");
        var status = raw.Receive();
        Assert.True(status.Ok);
        Assert.Equal(0, IpcJson.FromElement<DaemonStatus>(status.Body)!.QueueDepth);
        Assert.Equal(DaemonState.Running, host.Lifecycle);
    }

    [Fact]
    public async Task The_client_sends_the_token_from_the_state_directory_and_its_changes_are_accepted()
    {
        var file = Workflow();
        using var client = DaemonClient.Connect(temp.State);
        var run = await client.SendAsync<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) });
        Assert.Equal(RunStatus.Queued, run!.Status);
    }

    [Fact]
    public void A_request_without_an_operation_gets_an_error_answer()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var raw = new RawIpcClient(paths);
        foreach (var request in new[] { """{"Op": null}""", "{}", """{"Op": ""}""", "[1]", "{bad}" })
        {
            raw.SendJson(request);
            var answer = raw.Receive();
            Assert.False(answer.Ok);
            Assert.Equal("DaemonRequestInvalid", answer.ErrorId);
        }
        raw.SendJson("""{"Op": "ping"}""");
        Assert.True(raw.Receive().Ok);
    }

    [Fact]
    public void A_declared_length_over_the_limit_is_answered_with_the_limit_then_closed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var raw = new RawIpcClient(paths);
        raw.SendHeader(int.MaxValue);
        var answer = raw.Receive();
        Assert.Equal("DaemonRequestTooLarge", answer.ErrorId);
        Assert.Contains("16 MiB", answer.Message);
        Assert.True(raw.ClosedByDaemon());
    }

    [Fact]
    public async Task A_workflow_over_the_message_limit_is_refused_with_its_size_the_limit_and_what_to_do()
    {
        var yaml = "name: big\n# " + new string('x', IpcFraming.MaxMessageBytes) + "\nsteps:\n  - name: s\n    command: echo\n";
        using var client = DaemonClient.Connect(temp.State);
        var refused = await Assert.ThrowsAsync<DaemonRequestTooLargeException>(() =>
            client.SendAsync<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = "/w/big.yaml", Yaml = yaml }));
        Assert.Equal("DaemonRequestTooLarge", refused.ErrorId);
        Assert.Contains("16 MiB", refused.Message);
        Assert.Contains("Invoke-Workflow", refused.Message);
        Assert.DoesNotContain("No workflow daemon", refused.Message);
        Assert.Equal("pong", await client.SendAsync<string>(DaemonOperations.Ping));
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(-1)]
    [InlineData(86_401)]
    public async Task A_grace_period_out_of_range_is_refused_naming_the_range(double grace)
    {
        using var client = DaemonClient.Connect(temp.State);
        var refused = await Assert.ThrowsAsync<WorkflowAutomationException>(() =>
            client.SendAsync<DaemonStatus>(DaemonOperations.Stop, new StopRequest { GraceSeconds = grace }));
        Assert.Equal("DaemonRequestInvalid", refused.ErrorId);
        Assert.Contains("GraceSeconds", refused.Message);
        Assert.Contains("86400", refused.Message);
        Assert.DoesNotContain("overflow", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DaemonState.Running, host.Lifecycle);
    }

    [Fact]
    public async Task Waiting_for_or_cancelling_an_unknown_run_says_RunNotFound()
    {
        using var client = DaemonClient.Connect(temp.State);
        foreach (var op in new[] { DaemonOperations.Wait, DaemonOperations.Cancel })
        {
            var missing = await Assert.ThrowsAsync<WorkflowAutomationException>(() =>
                client.SendAsync<WaitResponse>(op, new RunRequestBody { RunId = "20260101-000000-nosuchrun", TimeoutSeconds = 1 }));
            Assert.Equal("RunNotFound", missing.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, missing.Kind);
        }
        var invalid = await Assert.ThrowsAsync<WorkflowAutomationException>(() =>
            client.SendAsync<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = "x", TimeoutSeconds = double.MaxValue }));
        Assert.Equal("RunNotFound", invalid.ErrorId);
    }

    [Fact]
    public async Task Control_characters_in_a_workflow_name_cannot_forge_daemon_log_lines()
    {
        var file = temp.File("evil.yaml", "name: \"evil\\n2026-01-01T00:00:00.000Z INFO [1] Stopped\\u001b[2J\"\nsteps:\n  - name: s\n    command: echo hi\n    shell: sh\n");
        using var client = DaemonClient.Connect(temp.State);
        try
        {
            await client.SendAsync<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) });
        }
        catch (WorkflowAutomationException)
        {
            // A name the parser refuses never reaches the log either.
        }
        host.Log.Warn("step 'a\rb\nc\u2028d' of run r1");
        var lines = File.ReadAllLines(host.Log.Path);
        Assert.All(lines, line => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARN|ERROR) \[\d+\] ", line));
        Assert.DoesNotContain(lines, line => line.Contains('\u001b') || line.Contains('\r'));
        Assert.Contains(lines, line => line.Contains(@"step 'a\rb\nc\u2028d' of run r1", StringComparison.Ordinal));
    }
}
