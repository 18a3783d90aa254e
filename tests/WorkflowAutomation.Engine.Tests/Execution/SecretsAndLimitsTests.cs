using System.Text;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;
using static WorkflowAutomation.Tests.Execution.ExecutorFixture;

namespace WorkflowAutomation.Tests.Execution;

public sealed class SecretsAndLimitsTests
{
    /// <summary>Every byte SQLite wrote for the run store, journal included.</summary>
    private static string RawStore(ExecutorFixture fixture)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(fixture.Folder.Path, "runs.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text.Append(reader.ReadToEnd());
        }
        return text.ToString();
    }

    [Fact]
    public async Task Secret_inputs_and_configured_environment_variables_are_masked_in_log_outputs_and_store()
    {
        using var fixture = new ExecutorFixture();
        var variable = "WA_TEST_SECRET_" + Guid.NewGuid().ToString("n")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "env-secret-4711");
        fixture.SecretEnvironmentVariables = [variable, "WA_STEP_SECRET"];
        try
        {
            var definition = new WorkflowDefinition
            {
                Name = "secrets",
                Inputs = new Dictionary<string, WorkflowInput>
                {
                    ["token"] = new() { Name = "token", Secret = true },
                    ["plain"] = new() { Name = "plain" },
                },
                Env = new Dictionary<string, string> { ["WA_STEP_SECRET"] = "workflow-env-secret-99" },
                Steps =
                [
                    Sh("use", $"echo \"token=$INPUT_TOKEN plain=$INPUT_PLAIN env=${variable} wf=$WA_STEP_SECRET\"; echo \"derived=x-$INPUT_TOKEN-y\" >> \"$WORKFLOW_OUTPUT\"; echo \"oops $INPUT_TOKEN\" >&2; exit 4"),
                ],
            };

            var run = await fixture.Run(definition, new RunRequest
            {
                Parameters = new Dictionary<string, object?> { ["token"] = "tok-s3cr3t-value", ["plain"] = "visible-value" },
                WorkingDirectory = fixture.Folder.Path,
            });

            var log = fixture.Store.GetLog(run.Id).Select(line => line.Text).ToList();
            Assert.Contains("token=*** plain=visible-value env=*** wf=***", log);
            Assert.Contains("oops ***", log);
            Assert.Equal("x-***-y", run.Steps[0].Outputs["derived"]);
            Assert.Equal("***", run.Parameters["token"]);
            Assert.Equal("visible-value", run.Parameters["plain"]);
            var stored = RawStore(fixture);
            Assert.Contains("visible-value", stored);
            foreach (var secret in new[] { "tok-s3cr3t-value", "env-secret-4711" })
            {
                Assert.DoesNotContain(secret, stored);
            }
            // A value written in the workflow file itself stays in the copy of the definition kept for restarts; never in the log.
            Assert.DoesNotContain("workflow-env-secret-99", string.Join("\n", log));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_failed_webhook_is_logged_with_scheme_and_host_only()
    {
        using var fixture = new ExecutorFixture();
        fixture.Notifier = new RunNotifier(new SmtpSettings("localhost", 25, "a@localhost", false), webhookRetry: new RetryOptions { RetryCount = 0 });
        var definition = new WorkflowDefinition
        {
            Name = "notified",
            Steps = [Sh("one", "true")],
            Notifications = new WorkflowNotifications { Webhook = "http://127.0.0.1:1/services/T000/B000/XSECRETX?token=abc" },
        };

        var run = await fixture.Run(definition);

        var lines = fixture.Store.GetLog(run.Id).Where(line => line.Step is null).Select(line => line.Text).ToList();
        var line = Assert.Single(lines, text => text.Contains("Webhook notification", StringComparison.Ordinal));
        Assert.Contains("http://127.0.0.1 failed", line);
        Assert.DoesNotContain("XSECRETX", string.Join("\n", fixture.Store.GetLog(run.Id).Select(log => log.Text)));
        Assert.DoesNotContain("token=abc", line);
    }

    [Fact]
    public async Task A_step_that_prints_without_end_is_cut_at_its_log_budget_and_the_log_says_so()
    {
        using var fixture = new ExecutorFixture { MaxStepLogBytes = 10_000 };
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("noisy", "i=0; while [ $i -lt 2000 ]; do echo \"line $i of noise that goes on and on and on and on and on and on and on and on\"; i=$((i+1)); done"),
            Sh("after", "echo still logged")));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var noisy = fixture.Store.GetLog(run.Id, "noisy");
        Assert.InRange(noisy.Count, 50, 200);
        Assert.Contains("Log truncated: step 'noisy' wrote more than 10,000 bytes", noisy[^1].Text);
        Assert.Equal(["still logged"], fixture.Store.GetLog(run.Id, "after").Select(line => line.Text));
    }

    [Fact]
    public async Task Step_outputs_are_written_in_the_state_directory_and_removed_with_the_run()
    {
        using var fixture = new ExecutorFixture();
        var run = await fixture.Run(Workflow(ExecutionMode.Sequential,
            Sh("where", $"echo \"$WORKFLOW_OUTPUT\" > {fixture.Trace}; echo k=v >> \"$WORKFLOW_OUTPUT\"")));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("v", run.Steps[0].Outputs["k"]);
        var path = Assert.Single(fixture.TraceLines);
        Assert.StartsWith(fixture.Scratch + Path.DirectorySeparatorChar, path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(fixture.Scratch));
        }
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)), "the run's scratch folder was left behind");
    }

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task Leftover_scratch_folders_are_cleaned_but_a_run_that_may_resume_keeps_its_outputs()
    {
        using var fixture = new ExecutorFixture();
        var finished = await fixture.Run(Workflow(ExecutionMode.Sequential, Sh("one", "true")));
        var resumable = new WorkflowRun { Id = "20260101-000000-aaaaaa", Name = "r", Status = RunStatus.Running, StartTime = DateTimeOffset.UtcNow };
        fixture.Store.CreateRun(resumable, Workflow(ExecutionMode.Sequential, Sh("one", "true")), WorkflowAutomation.State.RunOwner.Current);
        string Make(string name)
        {
            var folder = Path.Combine(fixture.Scratch, name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "x.out"), "k=v");
            return folder;
        }
        var ofFinished = Make("run-" + finished.Id);
        var ofUnknown = Make("run-20200101-000000-ffffff");
        var ofResumable = Make("run-" + resumable.Id);
        var ofDeadSession = Make("steps-999999999-0123");
        var ofLiveSession = Make($"steps-{Environment.ProcessId}-4567");

        var removed = ScratchFiles.CleanLeftovers(fixture.Scratch, fixture.Store);

        Assert.Equal(3, removed);
        Assert.False(Directory.Exists(ofFinished));
        Assert.False(Directory.Exists(ofUnknown));
        Assert.False(Directory.Exists(ofDeadSession));
        Assert.True(Directory.Exists(ofResumable));
        Assert.True(Directory.Exists(ofLiveSession));
    }
}
