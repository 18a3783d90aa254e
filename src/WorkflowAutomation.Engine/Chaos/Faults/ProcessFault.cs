using System.Diagnostics;
using System.Globalization;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Kills processes chosen by a selector (SIGKILL, whole process only): <c>count</c> of them, one
/// at once and then one every interval, picked at random among those matching. Nothing
/// outside the selector, never pid 1 or the session running the test.
/// </summary>
internal sealed class ProcessFault(ProcessSelector selector, int count, TimeSpan interval, Random random) : IChaosFault
{
    private readonly List<(int Pid, string Name, ChaosTouch Touch)> killed = [];
    private TimeSpan nextKill;

    public ChaosFaultType Type => ChaosFaultType.Process;

    public string Name => $"Process kill {count} × {selector.Text}";

    public string Target => selector.Text;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["Target"] = selector.Text,
        ["Count"] = count.ToString(CultureInfo.InvariantCulture),
        ["IntervalSeconds"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Plan()
    {
        var matches = selector.Match();
        if (matches.Count == 0)
        {
            return [$"Kill nothing: no process matches {selector.Text} now"];
        }
        return [.. matches.Select(m => $"May kill process {m.Pid} ({m.Name}) with SIGKILL, at most {count} of the {matches.Count} matching {selector.Text}")];
    }

    public Task ApplyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        if (selector.Match().Count == 0)
        {
            throw new ChaosException(ErrorIds.ChaosTargetNotFound, ErrorKind.ObjectNotFound,
                $"No process matches {selector.Text}: nothing to kill. Get-Process shows what runs.");
        }
        KillDue(context, TimeSpan.Zero);
        return Task.CompletedTask;
    }

    public void Sample(ChaosContext context, TimeSpan elapsed)
    {
        KillDue(context, elapsed);
        context.Measure("process.killed", killed.Count, "processes");
        context.Measure("process.matching", selector.Match().Count, "processes");
    }

    private void KillDue(ChaosContext context, TimeSpan elapsed)
    {
        while (killed.Count < count && elapsed >= nextKill)
        {
            var candidates = selector.Match().Where(m => killed.All(k => k.Pid != m.Pid)).ToList();
            if (candidates.Count == 0)
            {
                return;
            }
            var (pid, name) = candidates[random.Next(candidates.Count)];
            var touch = context.Touch("Process", $"{pid} ({name})", "killed with SIGKILL");
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: false);
                process.WaitForExit(5000);
                context.Event("Fault", $"kill {pid}", true, name);
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                context.Event("Fault", $"kill {pid}", false, exception.Message);
            }
            killed.Add((pid, name, touch));
            nextKill = interval <= TimeSpan.Zero ? TimeSpan.Zero : nextKill + interval;
            if (interval > TimeSpan.Zero && elapsed < nextKill)
            {
                return;
            }
        }
    }

    public Task RevertAsync(ChaosContext context)
    {
        foreach (var (_, _, touch) in killed)
        {
            // A killed process cannot be brought back; its supervisor (if any) is what the test is about.
            touch.Reverted = true;
            touch.Revert = "nothing to undo: the process is gone";
        }
        return Task.CompletedTask;
    }

    public string? Verify(ChaosResult result)
    {
        var alive = killed.Where(k => IsAlive(k.Pid, k.Name)).Select(k => k.Pid).ToList();
        if (killed.Count == 0)
        {
            return $"No process matching {selector.Text} was killed.";
        }
        return alive.Count == 0 ? null : $"Processes {string.Join(", ", alive)} survived SIGKILL.";
    }

    private static bool IsAlive(int pid, string name)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName == name;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
