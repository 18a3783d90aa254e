using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;
using static WorkflowAutomation.Tests.Execution.ExecutorFixture;

namespace WorkflowAutomation.Tests.Execution;

public sealed class WorkflowExecutorTests
{
    private static StepStatus StatusOf(WorkflowRun run, string step) => run.Steps.Single(s => s.Name == step).Status;

    [Fact]
    public async Task Sequential_runs_in_file_order_stops_at_the_first_failure_but_runs_always_and_failure_steps()
    {
        using var fixture = new ExecutorFixture();
        var t = fixture.Trace;
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("one", $"echo one >> {t}", s => s.Rollback = $"echo undo-one >> {t}"),
            Sh("two", $"echo two >> {t}", s => s.Rollback = $"echo undo-two >> {t}"),
            Sh("no_rollback", $"echo no_rollback >> {t}"),
            Sh("breaks", $"echo breaks >> {t}; exit 3", s => s.Rollback = $"echo undo-breaks >> {t}"),
            Sh("after", $"echo after >> {t}"),
            Sh("cleanup", $"echo cleanup >> {t}", s => s.Condition = "always()"),
            Sh("on_failure", $"echo on_failure >> {t}", s => s.Condition = "failure()")));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("breaks", run.Error);
        Assert.Equal(["one", "two", "no_rollback", "breaks", "cleanup", "on_failure", "undo-two", "undo-one"], fixture.TraceLines);
        Assert.Equal(StepStatus.Failed, StatusOf(run, "breaks"));
        Assert.Equal(3, run.Steps.Single(s => s.Name == "breaks").ExitCode);
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "after"));
        Assert.Equal(["two", "one"], run.Rollbacks.Select(r => r.Step));
        Assert.All(run.Rollbacks, r => Assert.Equal(StepStatus.Succeeded, r.Status));

        var stored = fixture.Store.GetRun(run.Id)!;
        Assert.Equal(RunStatus.Failed, stored.Status);
        Assert.Equal(run.Steps.Select(s => (s.Name, s.Status)), stored.Steps.Select(s => (s.Name, s.Status)));
        Assert.Equal(["two", "one"], stored.Rollbacks.Select(r => r.Step));
    }

    [Fact]
    public async Task Outputs_flow_to_later_steps_through_interpolation_and_environment_variables()
    {
        using var fixture = new ExecutorFixture();
        var definition = new WorkflowDefinition
        {
            Name = "outputs",
            Inputs = new Dictionary<string, WorkflowInput>
            {
                ["version"] = new() { Name = "version", Default = "1.0" },
                ["count"] = new() { Name = "count", Type = InputType.Number, Required = true },
            },
            Env = new Dictionary<string, string> { ["STAGE"] = "prod-${{ inputs.version }}" },
            Steps =
            [
                Sh("build", "echo \"artifact=app-${{ inputs.version }}.tgz\" >> \"$WORKFLOW_OUTPUT\"; printf 'notes<<EOF\\nline 1\\nline 2\\nEOF\\n' >> \"$WORKFLOW_OUTPUT\""),
                Sh("use", "echo \"${{ steps.build.outputs.artifact }}|$STEPS_BUILD_OUTPUTS_ARTIFACT|$INPUT_VERSION|$INPUT_COUNT|$STAGE|${{ env.STAGE }}|$WORKFLOW_NAME\" > " + fixture.Trace,
                    s => s.DependsOn = ["build"]),
            ],
        };

        var run = await fixture.Run(definition, new RunRequest { Parameters = new Dictionary<string, object?> { ["count"] = 3 }, WorkingDirectory = fixture.Folder.Path });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("app-1.0.tgz", run.Steps[0].Outputs["artifact"]);
        Assert.Equal("line 1\nline 2", run.Steps[0].Outputs["notes"]);
        Assert.Equal(["app-1.0.tgz|app-1.0.tgz|1.0|3|prod-1.0|prod-1.0|outputs"], fixture.TraceLines);
        Assert.Equal("app-1.0.tgz", fixture.Store.GetRun(run.Id)!.Steps[0].Outputs["artifact"]);
        Assert.Equal("3", run.Parameters["count"]);
    }

    [Fact]
    public async Task Inputs_are_checked_before_anything_runs()
    {
        using var fixture = new ExecutorFixture();
        var definition = new WorkflowDefinition
        {
            Name = "inputs",
            Inputs = new Dictionary<string, WorkflowInput>
            {
                ["count"] = new() { Name = "count", Type = InputType.Number, Required = true },
                ["flag"] = new() { Name = "flag", Type = InputType.Boolean },
            },
            Steps = [Sh("touch", $"echo ran >> {fixture.Trace}")],
        };

        var error = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            fixture.Run(definition, new RunRequest { Parameters = new Dictionary<string, object?> { ["flag"] = "maybe", ["cuont"] = 1 } }));

        Assert.Contains("'count' is required", error.Message);
        Assert.Contains("'flag' must be a boolean", error.Message);
        Assert.Contains("Did you mean 'count'", error.Message);
        Assert.Empty(fixture.TraceLines);
        Assert.Empty(fixture.Store.FindRuns(new WorkflowAutomation.State.RunQuery()));
    }

    [Fact]
    public async Task Consecutive_parallel_steps_run_together_in_sequential_mode()
    {
        using var fixture = new ExecutorFixture();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("a", "sleep 1", s => s.Parallel = true),
            Sh("b", "sleep 1", s => s.Parallel = true),
            Sh("c", "sleep 1", s => s.Parallel = true),
            Sh("last", $"echo last >> {fixture.Trace}")));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), $"took {started.Elapsed}");
        var last = run.Steps.Single(s => s.Name == "last");
        Assert.All(run.Steps.Take(3), s => Assert.True(s.EndTime <= last.StartTime));
    }

    [Fact]
    public async Task Parallel_mode_follows_the_dag_and_max_parallel()
    {
        using var fixture = new ExecutorFixture();
        var t = fixture.Trace;
        var definition = new WorkflowDefinition
        {
            Name = "dag",
            ExecutionMode = ExecutionMode.Parallel,
            MaxParallel = 1,
            Steps =
            [
                Sh("deploy", $"echo deploy >> {t}", s => s.DependsOn = ["test", "lint"]),
                Sh("test", $"echo start-test >> {t}; sleep 0.2; echo end-test >> {t}", s => s.DependsOn = ["build"]),
                Sh("lint", $"echo start-lint >> {t}; sleep 0.2; echo end-lint >> {t}", s => s.DependsOn = ["build"]),
                Sh("build", $"echo build >> {t}"),
            ],
        };

        var run = await fixture.Run(definition);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var lines = fixture.TraceLines;
        Assert.Equal("build", lines[0]);
        Assert.Equal("deploy", lines[^1]);
        // max_parallel 1: one middle step ends before the other starts.
        Assert.Matches("^start-(test|lint),end-\\1,start-(test|lint),end-\\2$", string.Join(",", lines[1..^1]));
    }

    [Fact]
    public async Task Parallel_mode_skips_dependants_of_a_failure_and_stops_new_steps()
    {
        using var fixture = new ExecutorFixture();
        // "slow" outlives the failure of "build" however loaded the machine is: it waits for it.
        var failed = Path.Combine(Path.GetTempPath(), "wa-failed-" + Guid.NewGuid().ToString("n"));
        var run = await fixture.Run(new WorkflowDefinition
        {
            Name = "dag",
            ExecutionMode = ExecutionMode.Parallel,
            Steps =
            [
                Sh("build", $"touch '{failed}'; exit 1"),
                Sh("slow", $"while [ ! -f '{failed}' ]; do sleep 0.02; done; sleep 0.3; rm -f '{failed}'"),
                Sh("test", "true", s => s.DependsOn = ["build"]),
                Sh("after_slow", "true", s => s.DependsOn = ["slow"]),
                Sh("report", "true", s => { s.DependsOn = ["test"]; s.Condition = "always()"; }),
            ],
        });

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(StepStatus.Failed, StatusOf(run, "build"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "slow"));
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "test"));
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "after_slow"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "report"));
    }

    [Fact]
    public async Task Conditional_mode_keeps_going_after_a_failure_and_evaluates_outcomes()
    {
        using var fixture = new ExecutorFixture();
        var run = await fixture.Run(new WorkflowDefinition
        {
            Name = "conditional",
            ExecutionMode = ExecutionMode.Conditional,
            Steps =
            [
                Sh("probe", "echo 'level=3' >> \"$WORKFLOW_OUTPUT\"; exit 2"),
                Sh("independent", "true"),
                Sh("needs_probe", "true", s => s.DependsOn = ["probe"]),
                Sh("on_probe_failure", "true", s => { s.DependsOn = ["probe"]; s.Condition = "steps.probe.outcome == 'failure'"; }),
                Sh("on_level", "true", s => { s.DependsOn = ["probe"]; s.Condition = "always() && steps.probe.outputs.level >= 3"; }),
                Sh("on_low_level", "true", s => { s.DependsOn = ["probe"]; s.Condition = "always() && steps.probe.outputs.level < 3"; }),
                Sh("after_independent", "true", s => s.DependsOn = ["independent"]),
                Sh("failure_branch", "true", s => { s.DependsOn = ["needs_probe"]; s.Condition = "failure()"; }),
            ],
        });

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(StepStatus.Failed, StatusOf(run, "probe"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "independent"));
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "needs_probe"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "on_probe_failure"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "on_level"));
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "on_low_level"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "after_independent"));
        // failure() of an ancestor (probe), even through a skipped step.
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "failure_branch"));
    }

    [Fact]
    public async Task Continue_on_error_lets_the_run_succeed_and_records_the_failure()
    {
        using var fixture = new ExecutorFixture();
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("flaky", "exit 5", s => s.ContinueOnError = true),
            Sh("next", "true"),
            Sh("saw_it", "true", s => s.Condition = "steps.flaky.outcome == 'failure' && steps.flaky.conclusion == 'success'")));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var flaky = run.Steps[0];
        Assert.Equal(StepStatus.Failed, flaky.Status);
        Assert.True(flaky.ContinuedOnError);
        Assert.Equal(5, flaky.ExitCode);
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "next"));
        Assert.Equal(StepStatus.Succeeded, StatusOf(run, "saw_it"));
    }

    [Fact]
    public async Task Retries_record_every_attempt_on_an_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var fixture = new ExecutorFixture(time);
        var counter = Path.Combine(fixture.Folder.Path, "count");
        // Fails on the first two attempts, succeeds on the third.
        var command = $"echo x >> {counter}; [ $(wc -l < {counter}) -ge 3 ]";
        var runTask = fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("flaky", command, s => { s.RetryCount = 4; s.RetryDelay = TimeSpan.FromMinutes(10); s.Backoff = RetryBackoff.Constant; })));

        while (!runTask.IsCompleted)
        {
            await Task.Delay(10);
            time.Advance(TimeSpan.FromMinutes(5));
        }
        var run = await runTask;

        var step = run.Steps.Single();
        Assert.Equal(StepStatus.Succeeded, step.Status);
        Assert.Equal(3, step.Attempts);
        Assert.Equal([StepStatus.Failed, StepStatus.Failed, StepStatus.Succeeded], step.AttemptHistory.Select(a => a.Status));
        Assert.True(step.AttemptHistory[1].StartTime - step.AttemptHistory[0].StartTime >= TimeSpan.FromMinutes(10));
        var stored = fixture.Store.GetRun(run.Id)!.Steps.Single();
        Assert.Equal(3, stored.Attempts);
        Assert.Equal([1, 2, 3], stored.AttemptHistory.Select(a => a.Number));
    }

    [Fact]
    public async Task A_timed_out_step_leaves_no_process_behind_and_fails_the_run()
    {
        using var fixture = new ExecutorFixture();
        var pids = Path.Combine(fixture.Folder.Path, "pids");
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("slow", $"trap '' TERM; sleep 60 & echo $! >> {pids}; (sleep 60; true) & echo $! >> {pids}; echo $$ >> {pids}; wait",
                s => s.Timeout = TimeSpan.FromMilliseconds(800)),
            Sh("after", "true")));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(StepStatus.TimedOut, StatusOf(run, "slow"));
        Assert.Contains("timeout", run.Steps[0].Error);
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "after"));
        var started = await ProcessProbe.ReadPids(pids, 3);
        Assert.True(await ProcessProbe.AllGone(started), "left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
    }

    [Fact]
    public async Task Cancelling_kills_running_steps_rolls_back_and_records_cancelled()
    {
        using var fixture = new ExecutorFixture();
        var t = fixture.Trace;
        using var cancellation = new CancellationTokenSource();
        var runTask = fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("prepare", $"echo prepare >> {t}", s => s.Rollback = $"echo undo-prepare >> {t}"),
            Sh("long", $"echo long >> {t}; sleep 60", s => s.Rollback = $"echo undo-long >> {t}"),
            Sh("never", $"echo never >> {t}")), null, cancellation.Token);
        while (!fixture.TraceLines.Contains("long"))
        {
            await Task.Delay(20);
        }
        cancellation.Cancel();
        var run = await runTask;

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal(StepStatus.Cancelled, StatusOf(run, "long"));
        Assert.Equal(StepStatus.Skipped, StatusOf(run, "never"));
        Assert.Equal(["prepare", "long", "undo-prepare"], fixture.TraceLines);
        Assert.Equal(RunStatus.Cancelled, fixture.Store.GetRun(run.Id)!.Status);
    }

    [Fact]
    public async Task An_unapproved_gate_stops_a_non_interactive_run_and_a_pre_approved_one_runs()
    {
        using var fixture = new ExecutorFixture();
        var definition = Workflow(ExecutionMode.Sequential,
            Sh("build", "true"),
            Sh("deploy", $"echo deployed >> {fixture.Trace}", s => s.ApprovalRequired = true));

        var refused = await fixture.Run(definition);
        Assert.Equal(RunStatus.Failed, refused.Status);
        Assert.Equal("WorkflowApprovalRequired", RunFailureIds.For(refused));
        Assert.Contains("-Approve deploy", refused.Error);
        Assert.Empty(fixture.TraceLines);

        var approved = await fixture.Run(definition, new RunRequest { Approved = ["deploy"], WorkingDirectory = fixture.Folder.Path });
        Assert.Equal(RunStatus.Succeeded, approved.Status);
        Assert.Equal(["deployed"], fixture.TraceLines);
    }

    [Fact]
    public async Task Restart_from_the_failed_step_reuses_succeeded_steps_and_their_outputs()
    {
        using var fixture = new ExecutorFixture();
        var flag = Path.Combine(fixture.Folder.Path, "fixed");
        var definition = Workflow(ExecutionMode.Sequential,
            Sh("build", $"echo build >> {fixture.Trace}; echo 'version=7' >> \"$WORKFLOW_OUTPUT\""),
            Sh("deploy", $"[ -f {flag} ] && echo \"deploy ${{{{ steps.build.outputs.version }}}}\" >> {fixture.Trace}"));

        var failed = await fixture.Run(definition);
        Assert.Equal(RunStatus.Failed, failed.Status);
        File.WriteAllText(flag, "");

        var stored = fixture.Store.GetRun(failed.Id)!;
        var restarted = await fixture.Run(fixture.Store.GetDefinition(failed.Id)!, new RunRequest
        {
            RestartOf = stored,
            ReuseSucceededSteps = true,
            WorkingDirectory = fixture.Folder.Path,
        });

        Assert.Equal(RunStatus.Succeeded, restarted.Status);
        Assert.True(restarted.Steps[0].Reused);
        Assert.Equal(failed.Id, restarted.RestartOf);
        Assert.Equal(["build", "deploy 7"], fixture.TraceLines);
    }

    [Fact]
    public async Task Output_lines_are_captured_per_step_in_the_store()
    {
        using var fixture = new ExecutorFixture();
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("talk", "echo hello; echo oops >&2"),
            Sh("more", "echo again")));

        var log = fixture.Store.GetLog(run.Id);
        Assert.Contains(log, l => l.Step == "talk" && l.Text == "hello" && !l.IsError);
        Assert.Contains(log, l => l.Step == "talk" && l.Text == "oops" && l.IsError);
        Assert.Equal(["again"], fixture.Store.GetLog(run.Id, "more").Select(l => l.Text));
    }
}

public sealed class ExecutionPlanTests
{
    [Fact]
    public void Waves_follow_dependencies_and_sequential_groups_with_commands_interpolated()
    {
        var definition = new WorkflowDefinition
        {
            Name = "plan",
            Inputs = new Dictionary<string, WorkflowInput> { ["target"] = new() { Name = "target", Default = "staging" } },
            Steps =
            [
                ExecutorFixture.Sh("build", "make"),
                ExecutorFixture.Sh("test", "make test", s => s.Parallel = true),
                ExecutorFixture.Sh("lint", "make lint", s => s.Parallel = true),
                ExecutorFixture.Sh("deploy", "deploy --to ${{ inputs.target }} ${{ steps.build.outputs.tag }}", s => s.Condition = "success()"),
            ],
        };

        var plan = ExecutionPlan.Waves(definition, WorkflowInputs.Resolve(definition, new Dictionary<string, object?>()));

        Assert.Equal([("build", 1), ("test", 2), ("lint", 2), ("deploy", 3)], plan.Select(p => (p.Name, p.Wave)));
        Assert.Equal(["test", "lint"], plan.Single(p => p.Name == "deploy").DependsOn);
        Assert.Equal("deploy --to staging <steps.build.outputs.tag>", plan.Single(p => p.Name == "deploy").Command);
    }
}
