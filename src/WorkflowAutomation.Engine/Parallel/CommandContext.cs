using System.Runtime.InteropServices;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// What every command task of one batch starts with: its folder, its time limit, the clock,
/// and the environment as it was when the batch started. The environment is captured once
/// as native strings, because building and marshalling it for each process cost a good part
/// of a process start.
/// </summary>
public sealed class CommandContext(string? workingDirectory, TimeSpan? timeout, TimeProvider time) : IDisposable
{
    private readonly Lazy<NativeEnvironment> environment = new(NativeEnvironment.Capture);
    private readonly Lazy<int[]> ignoredSignals = new(SpawnAttributes.ReadIgnoredSignals);

    /// <summary>The folder tasks start in; the process's current directory when null.</summary>
    public string? WorkingDirectory => workingDirectory;

    /// <summary>The limit of one attempt; none when null.</summary>
    public TimeSpan? Timeout => timeout;

    /// <summary>The clock timeouts run on.</summary>
    public TimeProvider Time => time;

    internal NativeEnvironment Environment => environment.Value;

    /// <summary>The signals ignored in this process when the batch started, which children get back at their defaults.</summary>
    internal IReadOnlyList<int> IgnoredSignals => ignoredSignals.Value;

    public void Dispose()
    {
        if (environment.IsValueCreated)
        {
            environment.Value.Dispose();
        }
    }
}

/// <summary>Environment variables as native UTF-8 <c>NAME=value</c> strings, without the process-tree token.</summary>
internal sealed class NativeEnvironment : IDisposable
{
    private readonly IntPtr[] entries;

    private NativeEnvironment(IntPtr[] entries) => this.entries = entries;

    public static NativeEnvironment Capture()
    {
        var entries = new List<IntPtr>();
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if ((string)entry.Key != ProcessTree.TokenVariable)
            {
                entries.Add(Marshal.StringToCoTaskMemUTF8($"{entry.Key}={entry.Value}"));
            }
        }
        return new NativeEnvironment([.. entries]);
    }

    /// <summary>A null-terminated <c>envp</c>: these variables and <paramref name="token"/> (a native <c>NAME=value</c> string).</summary>
    public IntPtr[] With(IntPtr token)
    {
        var envp = new IntPtr[entries.Length + 2];
        entries.CopyTo(envp, 0);
        envp[entries.Length] = token;
        return envp;
    }

    public void Dispose()
    {
        foreach (var entry in entries)
        {
            Marshal.FreeCoTaskMem(entry);
        }
    }
}
