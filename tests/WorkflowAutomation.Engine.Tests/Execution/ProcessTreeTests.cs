using System.Diagnostics;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Tests.Execution;

public sealed class ProcessTreeTests
{
    private static bool Alive(int pid)
    {
        // A killed orphan may stay a zombie until init reaps it: that is not alive.
        var stat = File.Exists($"/proc/{pid}/stat") ? File.ReadAllText($"/proc/{pid}/stat") : null;
        return stat is not null && stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
    }

    private static bool Gone(int pid)
    {
        for (var i = 0; i < 100 && Alive(pid); i++)
        {
            Thread.Sleep(20);
        }
        return !Alive(pid);
    }

    [Fact]
    public void A_sweep_from_a_mark_ends_the_orphans_that_carry_the_token_and_nothing_else()
    {
        var since = PidMark.Take();
        var token = ProcessTree.NewToken();
        // sh starts a grandchild and exits: only the token still ties the orphan to the step.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("sleep 60 > /dev/null 2>&1 & echo $!");
        start.Environment[ProcessTree.TokenVariable] = token;
        using var shell = Process.Start(start)!;
        var orphan = int.Parse(shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        shell.WaitForExit();
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            if (since.StartedUntil(PidMark.Take()) is { } started)
            {
                // Pids are handed out upwards: the orphan is among the processes started since the mark.
                Assert.Contains(orphan, started);
            }
            Assert.Equal(1, ProcessTree.KillByToken(token, since));
            Assert.True(Gone(orphan), $"The orphan {orphan} carrying the token still runs.");
            Assert.True(Alive(unrelated.Id), "A process without the token was killed.");
        }
        finally
        {
            unrelated.Kill();
        }
    }
}
