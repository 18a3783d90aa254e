using WorkflowAutomation.Parallel;
using static WorkflowAutomation.Tests.Parallel.ShellCommandExecutorTests;

namespace WorkflowAutomation.Tests.Parallel;

/// <summary>
/// The Linux fast path, both ways it waits: the child's exit watched through a pidfd while
/// output is read (kernels since 5.3), and the pipes read to their end before the exit is
/// waited for (older kernels). Each behaviour is checked both ways.
/// </summary>
public sealed class SpawnedProcessTests
{
    private static TaskOutcome Run(bool watchExit, string script, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        using var context = new CommandContext(null, timeout, TimeProvider.System);
        return SpawnedProcess.Run("/bin/sh", ["-c", script], context, WorkflowAutomation.Processes.ProcessTree.NewToken(), cancellation, watchExit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Output_larger_than_a_pipe_holds_on_both_streams_does_not_block_the_child(bool watchExit)
    {
        if (!SpawnedProcess.IsSupported)
        {
            return;
        }
        // 300 KiB on each stream, interleaved: a reader that waited for the exit first would never see it.
        var outcome = Run(watchExit, "i=0; while [ $i -lt 3000 ]; do printf '%0100d\\n' $i; printf '%0100d\\n' $i >&2; i=$((i+1)); done; exit 4");

        Assert.Equal((ParallelTaskStatus.Failed, 4), (outcome.Status, outcome.ExitCode));
        Assert.Equal(3000, outcome.Output.Count);
        Assert.Equal(2999.ToString("D100"), outcome.Output[^1]);
        Assert.Equal(3000, outcome.Error!.Split('\n').Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Exit_code_output_and_error_of_a_short_child(bool watchExit)
    {
        if (!SpawnedProcess.IsSupported)
        {
            return;
        }
        var outcome = Run(watchExit, "echo out; echo err >&2; exit 3");

        Assert.Equal((ParallelTaskStatus.Failed, 3), (outcome.Status, outcome.ExitCode));
        Assert.Equal(["out"], outcome.Output);
        Assert.Equal("err", outcome.Error);
        var succeeded = Run(watchExit, "true");
        Assert.Equal((ParallelTaskStatus.Succeeded, 0), (succeeded.Status, succeeded.ExitCode));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_background_child_holding_the_output_is_swept_after_its_parent_exits(bool watchExit)
    {
        if (!SpawnedProcess.IsSupported)
        {
            return;
        }
        var marker = UniqueSleep();
        var started = DateTime.UtcNow;

        var outcome = Run(watchExit, $"echo started; sleep {marker} & exit 0");

        Assert.Equal((ParallelTaskStatus.Succeeded, 0), (outcome.Status, outcome.ExitCode));
        Assert.Equal(["started"], outcome.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - started}");
        Assert.Empty(LiveProcesses(marker));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_timeout_kills_a_child_that_keeps_writing(bool watchExit)
    {
        if (!SpawnedProcess.IsSupported)
        {
            return;
        }
        var marker = UniqueSleep();

        var outcome = Run(watchExit, $"while true; do echo tick; sleep 0.05; done & sleep {marker}; wait", TimeSpan.FromSeconds(0.5));

        Assert.Equal(ParallelTaskStatus.TimedOut, outcome.Status);
        Assert.Contains("tick", outcome.Output);
        Assert.Empty(LiveProcesses(marker));
    }

    [Fact]
    public void This_kernel_has_pidfds_so_the_exit_is_watched_directly()
    {
        if (!SpawnedProcess.IsSupported || Environment.OSVersion.Version < new Version(5, 3))
        {
            return;
        }
        Run(watchExit: true, "true");

        Assert.True(SpawnedProcess.PidfdsWork);
    }
}
