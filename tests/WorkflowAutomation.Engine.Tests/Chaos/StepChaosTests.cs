using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Execution;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Chaos;

/// <summary>A step's chaos: key, through Polly's chaos strategies inside the step's retry.</summary>
public sealed class StepChaosTests : IDisposable
{
    private readonly TempFolder temp = new();

    private async Task<WorkflowRun> Run(string yaml, bool chaosEnabled)
    {
        var definition = WorkflowParser.Load(temp.File("flaky.yaml", yaml));
        using var store = SqliteRunStore.Open(temp.State);
        var executor = new WorkflowExecutor(new WorkflowExecutorOptions { Store = store, ChaosEnabled = chaosEnabled, ScratchFolder = temp.State.ScratchFolder });
        return await executor.RunAsync(definition, new RunRequest { WorkingDirectory = temp.Path }, CancellationToken.None);
    }

    [Fact]
    public async Task A_step_with_three_retries_survives_a_fifty_percent_fault_rate()
    {
        const string yaml = """
            name: flaky
            steps:
              - name: call
                shell: sh
                command: echo ran >> runs.txt
                retry_count: 3
                retry_delay: 0
                chaos: { fault_rate: 0.5, seed: 3 }
            """;
        var run = await Run(yaml, chaosEnabled: true);
        var step = run.Steps.Single();
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.True(step.Attempts > 1, $"the seed injects at least one fault; attempts: {step.Attempts}");
        Assert.Contains(step.AttemptHistory, a => a.Error == "Injected fault (step chaos).");
        // Only the attempts that were not replaced by a fault ran the command.
        Assert.Single(File.ReadAllLines(Path.Combine(temp.Path, "runs.txt")));
    }

    [Fact]
    public async Task Every_attempt_fails_at_a_rate_of_one_and_the_retries_are_used_up()
    {
        var run = await Run("""
            name: flaky
            steps:
              - name: call
                shell: sh
                command: 'true'
                retry_count: 2
                retry_delay: 0
                chaos: { fault_rate: 100% }
            """, chaosEnabled: true);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(3, run.Steps.Single().Attempts);
    }

    [Fact]
    public async Task Kill_after_ends_a_hanging_attempt_as_a_failure_that_the_retry_survives()
    {
        var run = await Run("""
            name: slow
            steps:
              - name: call
                shell: sh
                command: 'if [ "$WORKFLOW_ATTEMPT" = 1 ]; then sleep 30; fi'
                retry_count: 1
                retry_delay: 0
                chaos: { kill_after: 500ms, kill_rate: 1, seed: 1 }
            """, chaosEnabled: true);
        // The first attempt hangs and is killed; the retry's attempt is quick and succeeds.
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var step = run.Steps.Single();
        Assert.Equal(2, step.Attempts);
        Assert.Equal(StepStatus.Failed, step.AttemptHistory[0].Status);
        Assert.Contains("Killed by step chaos after 0.5 s", step.AttemptHistory[0].Error);
    }

    [Fact]
    public async Task Injected_faults_open_the_daemons_circuit_breaker_and_the_next_run_fails_fast()
    {
        var definition = WorkflowParser.Load(temp.File("api.yaml", """
            name: api
            steps:
              - name: call
                shell: sh
                command: 'true'
                chaos: { fault_rate: 1 }
            """));
        using var database = DaemonDatabase.Open(temp.State);
        var breakers = new CircuitBreakerRegistry(database, threshold: 2, TimeSpan.FromMinutes(1), TimeProvider.System);
        using var store = SqliteRunStore.Open(temp.State);
        // The guard the daemon puts in front of every step.
        var executor = new WorkflowExecutor(new WorkflowExecutorOptions { Store = store, ChaosEnabled = true, StepGuard = new BreakerStepGuard(breakers), ScratchFolder = temp.State.ScratchFolder });
        var runs = new List<WorkflowRun>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await executor.RunAsync(definition, new RunRequest { WorkingDirectory = temp.Path }, CancellationToken.None));
        }
        Assert.Equal(StepStatus.Failed, runs[0].Steps.Single().Status);
        Assert.Equal(StepStatus.Failed, runs[1].Steps.Single().Status);
        Assert.Equal(StepStatus.CircuitOpen, runs[2].Steps.Single().Status);
        Assert.Equal(CircuitState.Open, breakers.List().Single(b => b.Name == CircuitBreakerRegistry.StepName("api", "call")).State);
    }

    [Fact]
    public async Task Without_CHAOS_ENABLED_the_chaos_key_changes_nothing()
    {
        var run = await Run("""
            name: flaky
            steps:
              - name: call
                shell: sh
                command: 'true'
                chaos: { fault_rate: 1 }
            """, chaosEnabled: false);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(1, run.Steps.Single().Attempts);
    }

    [Fact]
    public void A_bad_chaos_key_is_reported_with_its_line_and_column()
    {
        var result = WorkflowParser.Parse("""
            name: flaky
            steps:
              - name: call
                command: 'true'
                chaos: { fault_rate: 2, latency: soon, kil_after: 1s }
            """, "/srv/flaky.yaml");
        Assert.False(result.IsValid);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("/srv/flaky.yaml:5:26:", StringComparison.Ordinal) && e.Contains("rate from 0 to 1"));
        Assert.Contains(errors, e => e.StartsWith("/srv/flaky.yaml:5:38:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Did you mean 'kill_after'"));
    }

    [Fact]
    public void A_chaos_profile_gives_the_first_matching_pattern_and_reports_errors_with_their_line()
    {
        var profile = StepChaosProfile.Load(temp.File("profile.yaml", """
            steps:
              'call-*': { fault_rate: 0.5 }
              '*': { latency: 100ms }
            """));
        Assert.Equal(0.5, profile.For("call-api")!.FaultRate);
        Assert.Equal(TimeSpan.FromMilliseconds(100), profile.For("deploy")!.Latency);
        var error = Assert.ThrowsAny<Common.WorkflowAutomationException>(() => StepChaosProfile.Load(temp.File("bad.yaml", "steps:\n  x: { fault_rat: 1 }\n")));
        Assert.Equal("ChaosProfileInvalid", error.ErrorId);
        Assert.Contains("bad.yaml:2:8:", error.Message);
        Assert.Contains("Did you mean 'fault_rate'", error.Message);
    }

    public void Dispose() => temp.Dispose();
}
