using WorkflowAutomation.Platform;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Step scratch files live in the state directory's scratch folder (0700), never in /tmp:
/// <c>run-&lt;id&gt;</c> holds a run's step outputs, <c>steps-&lt;pid&gt;-…</c> a session's pwsh
/// step scripts. A run or a session removes its own on its end; what a crash left is removed
/// the next time a session or the daemon starts.
/// </summary>
public static class ScratchFiles
{
    private const string RunPrefix = "run-";
    private const string StepsPrefix = "steps-";

    // An interrupted run that nobody resumed within this long is not coming back.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(7);

    /// <summary>The folder of one run's step outputs.</summary>
    public static string RunFolder(string scratchRoot, string runId) => Path.Combine(scratchRoot, RunPrefix + runId);

    /// <summary>A new private folder for this process's step scripts.</summary>
    public static string NewStepsFolder(string scratchRoot)
    {
        OwnerOnly.CreateDirectory(scratchRoot);
        return OwnerOnly.CreateDirectory(Path.Combine(scratchRoot, $"{StepsPrefix}{Environment.ProcessId}-{Guid.NewGuid():n}"));
    }

    private static readonly HashSet<string> Cleaned = new(StringComparer.Ordinal);

    /// <summary>Cleans leftovers the first time this process uses a scratch folder (a session's first run).</summary>
    public static void CleanLeftoversOnce(string scratchRoot, IRunStore store)
    {
        lock (Cleaned)
        {
            if (!Cleaned.Add(scratchRoot))
            {
                return;
            }
        }
        CleanLeftovers(scratchRoot, store);
    }

    /// <summary>
    /// Removes leftovers: the script folders of processes that no longer run, and the output
    /// folders of runs that ended (a run that may still resume keeps its outputs). Also removes
    /// empty step cgroups a killed process left behind. Returns how many folders were removed.
    /// </summary>
    public static int CleanLeftovers(string scratchRoot, IRunStore store)
    {
        StepContainment.RemoveLeftoverCgroups();
        if (!Directory.Exists(scratchRoot))
        {
            return 0;
        }
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(scratchRoot))
        {
            var name = Path.GetFileName(folder);
            var leftover = name.StartsWith(StepsPrefix, StringComparison.Ordinal)
                ? !IsRunning(name[StepsPrefix.Length..].Split('-')[0])
                : name.StartsWith(RunPrefix, StringComparison.Ordinal) && Ended(store, name[RunPrefix.Length..], folder);
            if (leftover && TryDelete(folder))
            {
                removed++;
            }
        }
        return removed;
    }

    private static bool Ended(IRunStore store, string runId, string folder) =>
        store.GetRun(runId) is not { } run
        || run.Status is Workflows.RunStatus.Succeeded or Workflows.RunStatus.Failed or Workflows.RunStatus.Cancelled
        || DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > AbandonedAfter;

    private static bool IsRunning(string pidText)
    {
        if (!int.TryParse(pidText, out var pid))
        {
            return false;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
