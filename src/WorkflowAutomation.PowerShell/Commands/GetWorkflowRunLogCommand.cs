using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets the captured output of a workflow run.</summary>
/// <remarks>
/// Lines are recorded as steps write them, so the log of a running, failed or interrupted
/// run is there too. Rollback output belongs to "rollback:&lt;step&gt;"; notification results
/// have no step.
/// </remarks>
/// <example>
/// <code>Get-WorkflowRunLog -Id 20261127-101500-3fa9c1 -Step build</code>
/// <para>What the build step wrote.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowRun -Status Failed -First 1 | Get-WorkflowRunLog | Where-Object IsError</code>
/// <para>The error lines of the latest failed run.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowRunLog")]
[OutputType(typeof(WorkflowRunLogLine))]
public sealed class GetWorkflowRunLogCommand : WorkflowCmdlet
{
    /// <summary>The run whose output to show.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string Id { get; set; } = string.Empty;

    /// <summary>Only the lines of this step (and of its rollback).</summary>
    [Parameter(Position = 1)]
    public string? Step { get; set; }

    protected override void Process()
    {
        try
        {
            WriteObject(new WorkflowRuns(State).Log(Id, Step), enumerateCollection: true);
        }
        catch (RunNotFoundException exception)
        {
            WriteItemError(exception, Id);
        }
    }
}
