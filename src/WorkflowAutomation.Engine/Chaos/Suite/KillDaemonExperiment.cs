using System.Diagnostics;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// kill -9 of the daemon while a run's step is running: the supervisor brings it back, the run
/// ends Succeeded, the step that was running is recorded Interrupted and run again, and the
/// step that had finished is never run again.
/// </summary>
internal sealed class KillDaemonExperiment : SuiteExperiment
{
    public override string Key => "kill";

    public override string Title => "kill -9 of the daemon mid-run: no run lost";

    public override ChaosFaultType Type => ChaosFaultType.Process;

    public override string Plan(ChaosSuiteOptions options) =>
        "Kill the scratch daemon with SIGKILL while a step of a run is running; wait for its supervisor to restart it and for the run to end";

    public override double ExpectedSeconds(ChaosSuiteOptions options) => 8;

    protected override async Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token)
    {
        var log = Path.Combine(suite.Scratch.Root, "kill-attempts.log");
        var path = suite.Workflow("suite-kill", $"""
            name: suite-kill
            steps:
              - name: first
                shell: sh
                command: echo "first $WORKFLOW_ATTEMPT" >> '{log}'
              - name: long
                shell: sh
                depends_on: [first]
                command: echo "long $WORKFLOW_ATTEMPT" >> '{log}'; sleep 2
              - name: last
                shell: sh
                depends_on: [long]
                command: echo "last $WORKFLOW_ATTEMPT" >> '{log}'
            """);
        var (run, _) = suite.Submit(path, token);
        var midRun = await SuiteContext.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("long", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), token).ConfigureAwait(false);
        if (!midRun)
        {
            Check(suite, result, "the run reached its long step", false, "the step never started within 30 s");
            return;
        }
        var before = (await suite.StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false)).Status;
        var fault = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Process, Target = "daemon", Count = 1 }, suite.Scratch);
        var killedAt = Stopwatch.StartNew();
        await suite.Runner.RunIntoAsync(result, fault, TimeSpan.FromMilliseconds(200), token).ConfigureAwait(false);
        Check(suite, result, "the daemon was killed with SIGKILL mid-run", FaultTookEffect(result, fault) == true,
            $"process {before?.ProcessId} killed while step 'long' ran");

        Daemon.DaemonStatus? after = null;
        var back = await SuiteContext.UntilAsync(() =>
        {
            after = suite.StatusAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult().Status;
            return after is not null && after.ProcessId != before?.ProcessId;
        }, TimeSpan.FromSeconds(30), token, 200).ConfigureAwait(false);
        Measure(suite, result, "daemon.recovery_s", killedAt.Elapsed.TotalSeconds, "s");
        Check(suite, result, "the supervisor restarted the daemon", back,
            back ? $"process {after!.ProcessId} answered {killedAt.Elapsed.TotalSeconds:0.#} s after the kill" : "no daemon answered within 30 s");
        if (!back)
        {
            // The remaining experiments need a daemon: start one as a user would.
            await suite.EnsureDaemonAsync(token).ConfigureAwait(false);
        }

        var ended = suite.WaitRun(run.Id, suite.Options.RecoveryTimeout, token);
        Check(suite, result, "the accepted run was not lost: it ended Succeeded", ended?.Status == RunStatus.Succeeded,
            ended is null ? "the run cannot be read" : $"run {ended.Id} is {ended.Status}");
        var longStep = ended?.Steps.FirstOrDefault(s => s.Name == "long");
        Check(suite, result, "the step that was running is recorded Interrupted and ran again",
            longStep is { AttemptHistory.Count: >= 2 } && longStep.AttemptHistory[0].Status == StepStatus.Interrupted && longStep.Status == StepStatus.Succeeded,
            longStep is null ? "no step 'long'" : string.Join(", ", longStep.AttemptHistory.Select(a => $"attempt {a.Number} {a.Status}")));
        var lines = File.Exists(log) ? File.ReadAllLines(log) : [];
        var firstRuns = lines.Count(l => l.StartsWith("first", StringComparison.Ordinal));
        Check(suite, result, "the step that had finished never ran again", firstRuns == 1, $"step 'first' ran {firstRuns} time(s)");
    }
}
