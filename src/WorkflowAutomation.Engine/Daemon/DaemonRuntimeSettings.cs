namespace WorkflowAutomation.Daemon;

/// <summary>
/// .NET runtime settings a detached daemon is started with: environment variables that the
/// runtime reads once, when the process starts. Once running, the daemon removes those it was
/// given from its own environment, so that the steps it starts do not inherit them.
/// </summary>
public static class DaemonRuntimeSettings
{
    /// <summary>The names the launcher added (comma-separated), so that exactly those are removed.</summary>
    public const string AddedVariable = "WORKFLOW_AUTOMATION_RUNTIME_SETTINGS";

    /// <summary>The settings, each for a reason measured on the daemon.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        // Idle thread-pool workers spin for new work before they sleep. The daemon hands work to
        // the pool a few times per request and per step: under a stream of submits that spinning
        // took a sixth of its CPU time, on a machine where steps need every core.
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        // Profile-guided tiering compiles each hot method a third time (instrumented) and keeps
        // every version: for a daemon that is mostly idle, about 9 MiB of code and JIT time
        // during its first busy minutes, for code that waits on processes and SQLite anyway.
        ["DOTNET_TieredPGO"] = "0",
        // glibc gives each busy thread a heap of its own; the daemon's thread pool grew to a dozen
        // of them, each keeping freed memory. Two are enough and keep its idle size 12 MiB lower.
        ["MALLOC_ARENA_MAX"] = "2",
    };

    /// <summary>Adds the settings the caller has not set itself to a new daemon's environment.</summary>
    public static void AddTo(IDictionary<string, string?> environment)
    {
        var added = new List<string>();
        foreach (var (name, value) in Settings)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                environment[name] = value;
                added.Add(name);
            }
        }
        if (added.Count > 0)
        {
            environment[AddedVariable] = string.Join(',', added);
        }
    }

    /// <summary>In the daemon: forgets the settings the launcher added (the runtime has read them already).</summary>
    public static void RemoveFromProcess()
    {
        if (Environment.GetEnvironmentVariable(AddedVariable) is not { } added)
        {
            return;
        }
        foreach (var name in added.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Settings.ContainsKey(name))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
        Environment.SetEnvironmentVariable(AddedVariable, null);
    }
}
