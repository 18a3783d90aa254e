using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>Runs through a real daemon host, real socket, real executor and real sh steps.</summary>
public sealed class DaemonRunTests
{
    private static DaemonHost Host(TempFolder temp, params (string Key, string Value)[] settings) =>
        new(temp.State, new DaemonHostOptions
        {
            Mode = DaemonMode.Job,
            GracePeriod = TimeSpan.FromSeconds(5),
            SchedulerTick = TimeSpan.FromMilliseconds(100),
            Configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(settings.ToDictionary(s => s.Key, s => s.Value))),
        });

    private static WorkflowRun Submit(TempFolder temp, string file, Dictionary<string, string>? parameters = null)
    {
        using var client = DaemonClient.Connect(temp.State);
        return client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file), Parameters = parameters ?? [] })!;
    }

    private static WorkflowRun WaitEnded(TempFolder temp, string runId)
    {
        using var client = DaemonClient.Connect(temp.State);
        for (var round = 0; round < 12; round++)
        {
            var answer = client.Send<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = runId, TimeoutSeconds = 5 })!;
            if (answer.Ended)
            {
                return answer.Run!;
            }
        }
        throw new TimeoutException($"Run {runId} did not end.");
    }

    private static WorkflowRun? Recorded(TempFolder temp, string runId)
    {
        using var store = SqliteRunStore.Open(temp.State);
        return store.GetRun(runId);
    }

    private static void WaitFor(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 400 && !condition(); attempt++)
        {
            Thread.Sleep(25);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task A_submitted_run_is_queued_recorded_and_run_to_its_end()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp);
        await host.StartAsync();
        var file = temp.File("hello.yaml", """
            name: hello
            inputs:
              who: { type: string, default: world }
            steps:
              - name: greet
                shell: sh
                command: echo "who=${{ inputs.who }}" >> "$WORKFLOW_OUTPUT"
            """);
        var queued = Submit(temp, file, new() { ["who"] = "daemon" });
        Assert.Equal(RunStatus.Queued, queued.Status);
        Assert.Equal("hello", queued.Name);
        var run = WaitEnded(temp, queued.Id);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("daemon", run.Steps.Single().Outputs["who"]);
        Assert.Equal(DaemonHost.RunOrigin, Recorded(temp, queued.Id)!.Origin);
    }

    [Fact]
    public async Task At_most_MAX_PARALLEL_WORKFLOWS_runs_execute_at_once_and_the_rest_queue()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp, ("MAX_PARALLEL_WORKFLOWS", "2"));
        await host.StartAsync();
        var file = temp.File("slow.yaml", """
            name: slow
            steps:
              - name: nap
                shell: sh
                command: sleep 0.4
            """);
        var ids = Enumerable.Range(0, 5).Select(_ => Submit(temp, file).Id).ToList();
        var peak = 0;
        while (ids.Any(id => Recorded(temp, id)!.Status is RunStatus.Queued or RunStatus.Running))
        {
            var status = host.GetStatus();
            peak = Math.Max(peak, status.RunningRuns.Count);
            Assert.True(status.RunningRuns.Count <= 2);
            Thread.Sleep(20);
        }
        Assert.Equal(2, peak);
        var runs = ids.Select(id => WaitEnded(temp, id)).ToList();
        Assert.All(runs, run => Assert.Equal(RunStatus.Succeeded, run.Status));
        // Started in submission order: the two that start together may record their start a
        // few milliseconds apart either way; each later one waits a whole 0.4 s step.
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].StartTime >= runs[i - 1].StartTime - TimeSpan.FromMilliseconds(100), $"run {i} started before run {i - 1}");
        }
        Assert.True(runs[2].StartTime >= runs[0].StartTime + TimeSpan.FromMilliseconds(300), "the third run did not wait for a slot");
    }

    [Fact]
    public async Task A_stop_interrupts_a_running_step_and_the_next_start_resumes_without_rerunning_finished_steps()
    {
        using var temp = new TempFolder();
        var marker = Path.Combine(temp.Path, "marker");
        var file = temp.File("resume.yaml", $"""
            name: resume
            steps:
              - name: first
                shell: sh
                command: echo "first $WORKFLOW_ATTEMPT" >> '{marker}'
              - name: second
                shell: sh
                depends_on: [first]
                command: |
                  echo "second $WORKFLOW_ATTEMPT" >> '{marker}'
                  if [ "$WORKFLOW_ATTEMPT" = 1 ]; then sleep 30; fi
              - name: third
                shell: sh
                depends_on: [second]
                command: echo "third $WORKFLOW_ATTEMPT" >> '{marker}'
            """);
        string runId;
        await using (var host = Host(temp))
        {
            await host.StartAsync();
            runId = Submit(temp, file).Id;
            WaitFor(() => Recorded(temp, runId)!.Steps.Single(s => s.Name == "second").Status == StepStatus.Running);
            await host.StopAsync(TimeSpan.Zero);
        }
        var interrupted = Recorded(temp, runId)!;
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Equal(StepStatus.Interrupted, interrupted.Steps.Single(s => s.Name == "second").Status);
        Assert.Equal(StepStatus.Pending, interrupted.Steps.Single(s => s.Name == "third").Status);

        await using (var host = Host(temp))
        {
            await host.StartAsync();
            var run = WaitEnded(temp, runId);
            Assert.Equal(RunStatus.Succeeded, run.Status);
            var second = run.Steps.Single(s => s.Name == "second");
            Assert.Equal(2, second.Attempts);
            Assert.Equal([StepStatus.Interrupted, StepStatus.Succeeded], second.AttemptHistory.Select(a => a.Status).ToArray());
            Assert.Equal(1, run.Steps.Single(s => s.Name == "first").Attempts);
        }
        Assert.Equal(["first 1", "second 1", "second 2", "third 1"], File.ReadAllLines(marker));
    }

    [Fact]
    public async Task A_run_waiting_for_approval_survives_a_restart_and_goes_on_when_approved()
    {
        using var temp = new TempFolder();
        var file = temp.File("gate.yaml", """
            name: gate
            steps:
              - name: deploy
                shell: sh
                approval_required: true
                command: echo deployed
            """);
        string runId;
        await using (var host = Host(temp))
        {
            await host.StartAsync();
            runId = Submit(temp, file).Id;
            WaitFor(() => Recorded(temp, runId)!.Status == RunStatus.WaitingForApproval);
            WaitFor(() => host.GetStatus().WaitingForApproval == 1);
        }
        await using (var host = Host(temp))
        {
            await host.StartAsync();
            WaitFor(() => Recorded(temp, runId)!.Status == RunStatus.WaitingForApproval);
            using (var client = DaemonClient.Connect(temp.State))
            {
                var step = client.Send<WorkflowStepRun>(DaemonOperations.Answer, new AnswerRequest { RunId = runId, Step = "deploy", Approve = true })!;
                Assert.Equal("deploy", step.Name);
                var again = Assert.Throws<WorkflowAutomation.Common.WorkflowAutomationException>(() =>
                    client.Send<WorkflowStepRun>(DaemonOperations.Answer, new AnswerRequest { RunId = runId, Step = "deploy", Approve = false }));
                Assert.Equal("ApprovalNotPending", again.ErrorId);
            }
            Assert.Equal(RunStatus.Succeeded, WaitEnded(temp, runId).Status);
        }
    }

    [Fact]
    public async Task A_failing_step_command_opens_its_breaker_and_then_fails_fast_with_CircuitOpen()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp, ("CIRCUIT_BREAKER_THRESHOLD", "2"));
        await host.StartAsync();
        var file = temp.File("flaky.yaml", """
            name: flaky
            steps:
              - name: call
                shell: sh
                command: exit 3
            """);
        for (var failure = 0; failure < 2; failure++)
        {
            var failed = WaitEnded(temp, Submit(temp, file).Id);
            Assert.Equal(StepStatus.Failed, failed.Steps.Single().Status);
        }
        using var client = DaemonClient.Connect(temp.State);
        var breakers = client.Send<List<CircuitBreakerInfo>>(DaemonOperations.Breakers)!;
        var stepBreaker = breakers.Single(b => b.Name == "flaky/call");
        Assert.Equal(CircuitState.Open, stepBreaker.State);
        Assert.Equal("exit 3", stepBreaker.Command);
        Assert.Equal(CircuitState.Open, breakers.Single(b => b.Name == "workflow:flaky").State);
        Assert.Equal(2, host.GetStatus().OpenBreakers);

        var fast = WaitEnded(temp, Submit(temp, file).Id);
        Assert.Equal(RunStatus.Failed, fast.Status);
        Assert.Equal(StepStatus.CircuitOpen, fast.Steps.Single().Status);
        Assert.Contains("workflow:flaky", fast.Error);

        client.Send<List<CircuitBreakerInfo>>(DaemonOperations.ResetBreaker, new NameRequest { Name = "workflow:*" });
        var stepOpen = WaitEnded(temp, Submit(temp, file).Id);
        Assert.Equal(StepStatus.CircuitOpen, stepOpen.Steps.Single().Status);
        Assert.Contains("flaky/call", stepOpen.Steps.Single().Error);
    }

    [Fact]
    public async Task A_queued_run_can_be_cancelled_before_it_starts()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp, ("MAX_PARALLEL_WORKFLOWS", "1"));
        await host.StartAsync();
        var file = temp.File("nap.yaml", "name: nap\nsteps:\n  - name: nap\n    shell: sh\n    command: sleep 1\n");
        var first = Submit(temp, file).Id;
        var second = Submit(temp, file).Id;
        using var client = DaemonClient.Connect(temp.State);
        var cancelled = client.Send<WorkflowRun>(DaemonOperations.Cancel, new RunRequestBody { RunId = second })!;
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal(RunStatus.Succeeded, WaitEnded(temp, first).Status);
        Assert.Equal(RunStatus.Cancelled, WaitEnded(temp, second).Status);
    }

    [Fact]
    public async Task Hosts_the_metrics_inbox_and_records_workflow_and_queue_metrics()
    {
        using var temp = new TempFolder();
        var host = Host(temp, ("METRICS_INTERVAL", "1"));
        await host.StartAsync();
        var inboxFile = Path.Combine(temp.State.MetricsInbox, "app.json");
        File.WriteAllText(inboxFile, """[{"name": "app.requests", "value": 1234, "type": "counter"}]""");
        var file = temp.File("measured.yaml", "name: measured\nsteps:\n  - name: one\n    shell: sh\n    command: 'true'\n");
        Assert.Equal(RunStatus.Succeeded, WaitEnded(temp, Submit(temp, file).Id).Status);
        WaitFor(() => !File.Exists(inboxFile));
        Thread.Sleep(1200);
        await host.StopAsync();

        using var store = WorkflowAutomation.Metrics.MetricStore.Open(temp.State);
        double Last(string name) => store.Query(new WorkflowAutomation.Metrics.MetricQuery { Name = name, Start = DateTimeOffset.UtcNow.AddHours(-1) }).Last().Value;
        Assert.Equal(1234, Last("app.requests"));
        Assert.Equal(1, Last("workflow.runs"));
        Assert.True(Last("workflow.step.duration") >= 0);
        Assert.Equal(0, Last(DaemonHost.QueueDepthMetric));
    }
}
