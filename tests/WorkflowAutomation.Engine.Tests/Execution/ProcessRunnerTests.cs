using System.Collections.Concurrent;
using System.Diagnostics;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Processes;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

public sealed class ProcessRunnerTests
{
    private static ProcessRequest Shell(string command, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null, string? directory = null)
    {
        var (file, arguments) = ShellCommand.For(StepShell.Sh, command);
        return new ProcessRequest
        {
            FileName = file,
            Arguments = arguments,
            Timeout = timeout,
            Environment = environment ?? new Dictionary<string, string?>(),
            WorkingDirectory = directory,
        };
    }

    [Fact]
    public async Task Streams_stdout_and_stderr_lines_and_returns_the_exit_code()
    {
        var lines = new ConcurrentQueue<OutputLine>();
        var result = await ProcessRunner.RunAsync(Shell("echo one; echo two >&2; echo three; exit 7"), lines.Enqueue, CancellationToken.None);

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal(["one", "three"], lines.Where(l => l.Stream == OutputStream.Output).Select(l => l.Text));
        Assert.Equal(["two"], lines.Where(l => l.Stream == OutputStream.Error).Select(l => l.Text));
    }

    [Fact]
    public async Task Passes_environment_and_working_directory()
    {
        using var folder = new TempFolder();
        var lines = new ConcurrentQueue<OutputLine>();
        var result = await ProcessRunner.RunAsync(
            Shell("echo \"$GREETING\"; pwd; echo \"[$HOME_REMOVED]\"",
                environment: new Dictionary<string, string?> { ["GREETING"] = "hello world", ["HOME_REMOVED"] = null },
                directory: folder.Path),
            lines.Enqueue, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["hello world", folder.Path, "[]"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Timeout_kills_the_whole_tree_including_children_that_ignore_sigterm()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        // A child that ignores SIGTERM, orphaned from its parent, and a direct child.
        var script = $"trap '' TERM; (trap '' TERM; sleep 60 & echo $! >> {pids}; wait) & sleep 60 & echo $! >> {pids}; echo $$ >> {pids}; wait";
        var stopwatch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(Shell(script, timeout: TimeSpan.FromMilliseconds(700)), null, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
        var started = await ProcessProbe.ReadPids(pids, 3);
        Assert.True(await ProcessProbe.AllGone(started), "processes left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
    }

    [Fact]
    public async Task Timeout_also_kills_grandchildren_orphaned_by_a_parent_that_already_exited()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        // The subshell exits at once: its sleep is re-parented away from the step's tree.
        var script = $"( sleep 60 & echo $! >> {pids} ); echo $$ >> {pids}; sleep 60";
        var result = await ProcessRunner.RunAsync(Shell(script, timeout: TimeSpan.FromMilliseconds(700)), null, CancellationToken.None);

        Assert.True(result.TimedOut);
        var started = await ProcessProbe.ReadPids(pids, 2);
        Assert.True(await ProcessProbe.AllGone(started), "processes left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
    }

    [Fact]
    public async Task Cancellation_kills_the_tree_and_reports_cancelled()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        using var cancellation = new CancellationTokenSource();
        var run = ProcessRunner.RunAsync(Shell($"sleep 60 & echo $! >> {pids}; echo $$ >> {pids}; wait"), null, cancellation.Token);
        var started = await ProcessProbe.ReadPids(pids, 2);
        cancellation.Cancel();
        var result = await run;

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.True(await ProcessProbe.AllGone(started));
    }

    [Fact]
    public async Task A_background_child_holding_the_output_does_not_hold_the_step()
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(Shell("sleep 30 & echo started"), null, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_missing_executable_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<ProcessStartException>(() =>
            ProcessRunner.RunAsync(new ProcessRequest { FileName = "no-such-tool-xyz" }, null, CancellationToken.None));

        Assert.Equal("ProcessStartFailed", error.ErrorId);
        Assert.Contains("no-such-tool-xyz", error.Message);
    }

    [Fact]
    public async Task A_child_that_drops_the_token_and_holds_the_output_ends_with_the_step_within_its_timeout()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        var stopwatch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(
            Shell($"(env -u {ProcessTree.TokenVariable} sh -c 'echo $$ >> {pids}; exec sleep 12' &); sleep 0.2", timeout: TimeSpan.FromSeconds(3)),
            null, CancellationToken.None);

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
        Assert.Equal(0, result.ExitCode);
        var started = await ProcessProbe.ReadPids(pids, 1);
        Assert.True(await ProcessProbe.AllGone(started), "processes left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
    }

    [Fact]
    public async Task A_detached_background_process_is_swept_when_the_step_ends_normally()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        var result = await ProcessRunner.RunAsync(
            Shell($"setsid sh -c 'echo $$ >> {pids}; exec sleep 33' >/dev/null 2>&1 < /dev/null & sleep 0.2"), null, CancellationToken.None);

        Assert.True(result.Succeeded);
        var started = await ProcessProbe.ReadPids(pids, 1);
        Assert.True(await ProcessProbe.AllGone(started), "processes left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
    }

    [Fact]
    public async Task A_shell_step_joins_its_cgroup_as_its_first_command_and_keeps_errexit_and_line_numbers()
    {
        var lines = new ConcurrentQueue<OutputLine>();
        var result = await ProcessRunner.RunAsync(
            Shell("grep ^0:: /proc/$$/cgroup || echo none; tr '\\0' ' ' </proc/$$/cmdline; echo\nno-such-command-xyz || :\nfalse\necho not reached"),
            lines.Enqueue, CancellationToken.None);

        var output = lines.Where(l => l.Stream == OutputStream.Output).Select(l => l.Text).ToList();
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("not reached", output);
        // The step's shell is its main process (no launcher exec'd into it), and its second line is still line 2.
        Assert.StartsWith("sh -e -c ", output[1]);
        Assert.Contains(lines, l => l.Stream == OutputStream.Error && l.Text.Contains(" 2: no-such-command-xyz", StringComparison.Ordinal));
        if (StepContainment.Mode == ContainmentMode.Cgroup)
        {
            Assert.Matches("^0::.*/workflow-automation-[0-9a-f]+$", output[0]);
        }
        else
        {
            Assert.DoesNotContain("workflow-automation-", output[0]);
        }
    }

    [Fact]
    public async Task Without_a_cgroup_orphans_that_drop_the_token_are_adopted_and_swept()
    {
        using var folder = new TempFolder();
        var pids = Path.Combine(folder.Path, "pids");
        var request = Shell($"(env -u {ProcessTree.TokenVariable} setsid sh -c 'echo $$ >> {pids}; exec sleep 33' >/dev/null 2>&1 < /dev/null &); sleep 0.2");
        var result = await ProcessRunner.RunAsync(new ProcessRequest
        {
            FileName = request.FileName,
            Arguments = request.Arguments,
            Containment = ContainmentMode.Subreaper,
        }, null, CancellationToken.None);

        Assert.True(result.Succeeded);
        var started = await ProcessProbe.ReadPids(pids, 1);
        Assert.True(await ProcessProbe.AllGone(started), "processes left behind: " + string.Join(",", started.Where(ProcessProbe.IsRunning)));
        Assert.False(File.Exists($"/proc/{started[0]}/stat"), "the adopted orphan was not reaped");
    }

    [Fact]
    public async Task A_huge_line_is_cut_and_says_so()
    {
        var lines = new ConcurrentQueue<OutputLine>();
        var request = Shell("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo after");
        var result = await ProcessRunner.RunAsync(new ProcessRequest
        {
            FileName = request.FileName,
            Arguments = request.Arguments,
            MaxLineLength = 1000,
        }, lines.Enqueue, CancellationToken.None);

        Assert.True(result.Succeeded);
        var first = lines.First().Text;
        Assert.StartsWith(new string('x', 1000) + " [line truncated: 2,999,000 more characters", first);
        Assert.Equal("after", lines.Last().Text);
    }
}
