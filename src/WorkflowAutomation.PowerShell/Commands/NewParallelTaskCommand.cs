using System.Management.Automation;
using WorkflowAutomation.Parallel;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Builds a task for Invoke-ParallelBatch: a command line or a script block, with a priority, an id and dependencies.</summary>
/// <remarks>
/// A command runs through the platform shell (sh -c on Linux and macOS, cmd /c on Windows)
/// as a process; a script block runs in one of the executor's reused runspaces, so it sees
/// no variables of the calling session: pass values with -ArgumentList ($args, and the
/// first one as $_). Priority 1 runs first and 10 last. A task starts only once every task
/// named in -DependsOn has succeeded; if one of them fails, the task is reported Skipped.
/// </remarks>
/// <example>
/// <code>$build = New-ParallelTask -Id build -Priority 1 -Command 'make build'
/// $test = New-ParallelTask -Id test -Command 'make test' -DependsOn build
/// $build, $test | Invoke-ParallelBatch</code>
/// <para>Runs the tests only after the build has succeeded.</para>
/// </example>
/// <example>
/// <code>1..100 | ForEach-Object { New-ParallelTask -ScriptBlock { $_ * 2 } -ArgumentList $_ } | Invoke-ParallelBatch -ThrottleLimit 4</code>
/// <para>Runs a hundred script blocks on four reused runspaces; each result's Output holds the number.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "ParallelTask", DefaultParameterSetName = CommandSet)]
[OutputType(typeof(ParallelTask))]
public sealed class NewParallelTaskCommand : WorkflowCmdlet
{
    private const string CommandSet = "Command";
    private const string ScriptBlockSet = "ScriptBlock";

    /// <summary>The command line to run through the platform shell.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CommandSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = string.Empty;

    /// <summary>The script block to run in a reused runspace of the executor.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Arguments of the script block: $args, and the first one is also $_.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public object[] ArgumentList { get; set; } = [];

    /// <summary>1 runs first, 10 last; 5 when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(ParallelTask.HighestPriority, ParallelTask.LowestPriority)]
    public int Priority { get; set; } = ParallelTask.DefaultPriority;

    /// <summary>Names the task for -DependsOn and in results; the position in the batch when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Id { get; set; } = string.Empty;

    /// <summary>Ids of the tasks that must succeed before this one starts.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[] DependsOn { get; set; } = [];

    protected override void Process()
    {
        WriteObject(new ParallelTask
        {
            Id = Id,
            Priority = Priority,
            Command = ParameterSetName == CommandSet ? Command : null,
            ScriptBlock = ParameterSetName == ScriptBlockSet ? ScriptBlock : null,
            ArgumentList = ArgumentList,
            DependsOn = DependsOn,
        });
    }
}
