using WorkflowAutomation.Execution;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

/// <summary>A run taken up again after its process died (the daemon's restart).</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task A_step_whose_last_attempt_was_recorded_succeeded_is_not_run_again_and_keeps_its_outputs()
    {
        using var temp = new TempFolder();
        var marker = Path.Combine(temp.Path, "marker");
        var definition = WorkflowParser.Parse($$$"""
            name: resumed
            steps:
              - name: build
                shell: sh
                command: echo "build $WORKFLOW_ATTEMPT" >> '{{{marker}}}'; echo "version=2" >> "$WORKFLOW_OUTPUT"
              - name: deploy
                shell: sh
                depends_on: [build]
                command: echo "deploy ${{ steps.build.outputs.version }}" >> '{{{marker}}}'
            """, "resumed.yaml").Definition!;
        const string id = "20260101-000000-abcdef";
        using var store = new SqliteRunStore(temp.State.RunsDatabase);
        // What a kill -9 leaves: build's attempt recorded Succeeded, the step itself still Running.
        var run = new WorkflowRun { Id = id, Name = "resumed", Status = RunStatus.Running, StartTime = DateTimeOffset.UtcNow, Origin = "daemon" };
        run.Steps.Add(new WorkflowStepRun { RunId = id, Name = "build", Status = StepStatus.Running, Attempts = 1 });
        run.Steps.Add(new WorkflowStepRun { RunId = id, Name = "deploy", Status = StepStatus.Pending });
        store.CreateRun(run, definition, RunOwner.Current);
        run.Steps.ForEach(store.SaveStep);
        store.SaveAttempt(new WorkflowStepAttempt { RunId = id, Step = "build", Number = 1, Status = StepStatus.Succeeded, ExitCode = 0, StartTime = DateTimeOffset.UtcNow, EndTime = DateTimeOffset.UtcNow });
        var outputs = RunScope.AttemptOutputFile(temp.State.ScratchFolder, id, "build", 1);
        Directory.CreateDirectory(Path.GetDirectoryName(outputs)!);
        File.WriteAllText(outputs, "version=2\n");
        File.WriteAllText(marker, "build 1\n");

        var executor = new WorkflowExecutor(new WorkflowExecutorOptions { Store = store, ScratchFolder = temp.State.ScratchFolder });
        var resumed = await executor.RunAsync(definition, new RunRequest { RunId = id, Resume = true, Origin = "daemon" }, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(["build 1", "deploy 2"], File.ReadAllLines(marker));
        var build = store.GetRun(id)!.Steps.Single(step => step.Name == "build");
        Assert.Equal(StepStatus.Succeeded, build.Status);
        Assert.Equal("2", build.Outputs["version"]);
        Assert.Single(build.AttemptHistory);
    }
}
