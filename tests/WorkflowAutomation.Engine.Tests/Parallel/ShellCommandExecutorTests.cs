using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

/// <summary>Real processes through the platform shell: output, exit codes, timeouts and cancellation that leave no process behind.</summary>
public sealed class ShellCommandExecutorTests
{
    private static TaskOutcome Run(string command, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        using var context = new CommandContext(null, timeout, TimeProvider.System);
        return ShellCommandExecutor.Instance.Run(new ParallelTask { Id = "t", Command = command }, context, cancellation);
    }

    [Fact]
    public void Captures_output_error_and_exit_code()
    {
        var outcome = Run("echo one; echo two; echo oops >&2; exit 3");

        Assert.Equal(ParallelTaskStatus.Failed, outcome.Status);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal(["one", "two"], outcome.Output);
        Assert.Equal("oops", outcome.Error);
    }

    [Fact]
    public void Plain_commands_and_shell_syntax_both_work()
    {
        Assert.Equal(["a b"], Run("echo a b").Output);
        Assert.Equal(["x"], Run("X=x; echo $X").Output);
        Assert.Equal(ParallelTaskStatus.Succeeded, Run("true").Status);
        Assert.Equal(127, Run("no-such-program-here").ExitCode);
    }

    [Fact]
    public void A_plain_program_starts_with_no_signal_ignored_or_blocked_even_one_this_process_ignores()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // SIGPIPE is ignored by the runtime; SIGUSR2 is ignored here for the test. A child must get both back.
        const int sigUsr2 = 12;
        var previous = signal(sigUsr2, 1);
        try
        {
            var status = Run("cat /proc/self/status").Output.Cast<string>().ToList();
            ulong Mask(string field) => Convert.ToUInt64(status.Single(line => line.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim(), 16);
            // glibc's own signals 32 and 33 (bits 31 and 32) are its business; no other may be ignored.
            const ulong glibcInternal = 0x180000000;
            Assert.Equal(0UL, Mask("SigIgn") & ~glibcInternal);
            Assert.Equal(0UL, Mask("SigBlk"));
        }
        finally
        {
            signal(sigUsr2, previous);
        }
    }

    [Fact]
    public void Each_plain_program_carries_its_own_process_tree_token()
    {
        using var context = new CommandContext(null, null, TimeProvider.System);
        string Token() => ShellCommandExecutor.Instance.Run(new ParallelTask { Id = "t", Command = "env" }, context, default).Output
            .Cast<string>().Single(line => line.StartsWith(Processes.ProcessTree.TokenVariable + "=", StringComparison.Ordinal));

        var first = Token();
        var second = Token();
        Assert.Matches("^WORKFLOW_AUTOMATION_TREE=[0-9a-f]{32}$", first);
        Assert.NotEqual(first, second);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern nint signal(int signal, nint handler);

    [Fact]
    public void A_timeout_kills_the_whole_process_tree()
    {
        var marker = UniqueSleep();
        var started = DateTime.UtcNow;

        var outcome = Run($"sleep {marker} & sleep {marker} & sleep {marker}", TimeSpan.FromSeconds(1));

        Assert.Equal(ParallelTaskStatus.TimedOut, outcome.Status);
        Assert.Contains("killed", outcome.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        Assert.Empty(LiveProcesses(marker));
    }

    [Fact]
    public void Cancellation_kills_the_whole_process_tree()
    {
        var marker = UniqueSleep();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var outcome = Run($"sh -c 'sleep {marker}' & sleep {marker}; wait", cancellation: cancellation.Token);

        Assert.Equal(ParallelTaskStatus.Cancelled, outcome.Status);
        Assert.Empty(LiveProcesses(marker));
    }

    [Fact]
    public void A_background_child_that_keeps_the_output_open_ends_with_its_task()
    {
        var marker = UniqueSleep();
        var started = DateTime.UtcNow;

        var outcome = Run($"echo started; sleep {marker} &");

        Assert.Equal(ParallelTaskStatus.Succeeded, outcome.Status);
        Assert.Equal(["started"], outcome.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Empty(LiveProcesses(marker));
    }

    [Fact]
    public void A_plain_program_whose_child_drops_the_token_and_holds_the_output_does_not_hold_its_worker()
    {
        var marker = $"12.{Random.Shared.Next(1000, 9999)}";
        using var folder = new TempFolder();
        // A script file keeps the command line free of shell syntax: the program is started directly.
        var script = folder.File("escape.sh", $"env -u WORKFLOW_AUTOMATION_TREE sleep {marker} &\n");
        var started = DateTime.UtcNow;
        try
        {
            var outcome = Run($"sh {script}");

            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), $"took {DateTime.UtcNow - started}");
            Assert.Equal(0, outcome.ExitCode);
        }
        finally
        {
            LiveProcesses(marker).ForEach(pid => System.Diagnostics.Process.GetProcessById(pid).Kill());
        }
    }

    [Fact]
    public void A_plain_program_started_directly_reports_exit_code_and_large_output()
    {
        Assert.Equal((ParallelTaskStatus.Failed, 1), (Run("false").Status, Run("false").ExitCode));
        var many = Run("seq 1 100000");
        Assert.Equal(100000, many.Output.Count);
        Assert.Equal("100000", many.Output[^1]);
        Assert.Contains("No such file", Run("ls /no/such/folder").Error);
    }

    [Fact]
    public void A_plain_program_that_times_out_is_killed()
    {
        var marker = UniqueSleep();

        var outcome = Run($"sleep {marker}", TimeSpan.FromSeconds(0.5));

        Assert.Equal(ParallelTaskStatus.TimedOut, outcome.Status);
        Assert.Empty(LiveProcesses(marker));
    }

    [Fact]
    public void A_plain_program_is_killed_on_cancellation()
    {
        var marker = UniqueSleep();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(0.5));

        var outcome = Run($"sleep {marker}", cancellation: cancellation.Token);

        Assert.Equal(ParallelTaskStatus.Cancelled, outcome.Status);
        Assert.Empty(LiveProcesses(marker));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("echo plain words", true)]
    [InlineData("echo $HOME", false)]
    [InlineData("make build > log.txt", false)]
    [InlineData("X=1 env", false)]
    [InlineData("cd /tmp", false)]
    [InlineData("no-such-program-here", false)]
    public void Only_plain_programs_skip_the_shell(string command, bool direct)
    {
        Assert.Equal(direct, DirectCommand.TryParse(command, out var program, out _));
        if (direct)
        {
            Assert.True(Path.IsPathRooted(program));
        }
    }

    /// <summary>A sleep length no other process on the machine uses, to find our processes by.</summary>
    internal static string UniqueSleep() => $"{Random.Shared.Next(500, 900)}.{Random.Shared.Next(1000, 9999)}";

    /// <summary>Processes (not zombies) whose command line mentions the marker.</summary>
    internal static List<int> LiveProcesses(string marker)
    {
        var live = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..][0];
                if (commandLine.Contains(marker) && state != 'Z')
                {
                    live.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return live;
    }
}
