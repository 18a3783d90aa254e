namespace WorkflowAutomation.Processes;

/// <summary>A process to run: an executable with its arguments, environment and limits.</summary>
public sealed class ProcessRequest
{
    public required string FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary>False starts the process with <see cref="Environment"/> alone (a hermetic environment), nothing inherited.</summary>
    public bool InheritEnvironment { get; init; } = true;
    /// <summary>Variables added to (or, when null, removed from) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    public string? WorkingDirectory { get; init; }
    /// <summary>On expiry the whole process tree is killed; null means no limit.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>The longest output line kept, in characters. <value>The default is 65,536.</value></summary>
    public int MaxLineLength { get; init; } = ProcessRunner.DefaultMaxLineLength;
    /// <summary>How escaped processes are caught; null for what this machine allows (tests force the fallback).</summary>
    internal ContainmentMode? Containment { get; init; }
}

/// <summary>How a process ended.</summary>
public sealed record ProcessResult(int ExitCode, bool TimedOut, bool Cancelled, TimeSpan Duration, int ProcessId)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
}
