namespace WorkflowAutomation.Parallel;

/// <summary>The outcome of a parallel task.</summary>
public enum ParallelTaskStatus
{
    Succeeded,
    Failed,
    TimedOut,
    Skipped,
    Cancelled,
}

/// <summary>
/// One unit of work for the parallel executor: a command line run through the platform
/// shell as a process, or a PowerShell script block run in a reused runspace.
/// </summary>
public sealed class ParallelTask
{
    /// <summary>The lowest (first) priority number.</summary>
    public const int HighestPriority = 1;

    /// <summary>The highest (last) priority number.</summary>
    public const int LowestPriority = 10;

    /// <summary>The priority of a task that names none.</summary>
    public const int DefaultPriority = 5;

    /// <summary>Names the task in results and in other tasks' <see cref="DependsOn"/>; assigned from the position when empty.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>1 runs first, 10 last. <value>The default value is 5.</value></summary>
    public int Priority { get; init; } = DefaultPriority;

    /// <summary>A command line for the platform shell (sh -c, cmd /c); null for a script block.</summary>
    public string? Command { get; init; }

    /// <summary>
    /// A PowerShell script block (kept as an object: the engine does not reference PowerShell;
    /// the host that runs script blocks knows the type). Null for a command.
    /// </summary>
    public object? ScriptBlock { get; init; }

    /// <summary>Arguments for a script block: <c>$args</c>, and the first one is also <c>$_</c>.</summary>
    public IReadOnlyList<object?> ArgumentList { get; init; } = [];

    /// <summary>Ids of the tasks that must succeed before this one starts.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>The line of the batch file the task came from, when it came from one.</summary>
    public int? Line { get; init; }

    /// <summary>What the task runs, as text.</summary>
    public string Text => Command ?? ScriptBlock?.ToString()?.Trim() ?? string.Empty;

    /// <summary>Whether the task runs a script block rather than a process.</summary>
    public bool IsScript => ScriptBlock is not null;

    public override string ToString() => $"{Id} ({Priority}): {Text}";
}
