using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets recorded workflow runs from the state directory, newest first.</summary>
/// <remarks>
/// Every run is recorded as it goes, whether Invoke-Workflow or the daemon started it. Each
/// run carries its steps (status, attempts, exit code, duration, outputs), every attempt and
/// the rollbacks that ran. A run whose session ended before it finished shows as Interrupted.
/// </remarks>
/// <example>
/// <code>Get-WorkflowRun -First 5</code>
/// <para>The five latest runs.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowRun -Status Failed | Restart-WorkflowRun -FromFailedStep</code>
/// <para>Reruns every failed run from its failed step, reusing what succeeded.</para>
/// </example>
/// <example>
/// <code>(Get-WorkflowRun -Id 20261127-101500-3fa9c1).Steps | Format-Table</code>
/// <para>The steps of one run.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowRun")]
[OutputType(typeof(WorkflowRun))]
public sealed class GetWorkflowRunCommand : WorkflowCmdlet
{
    /// <summary>Run ids; a trailing * matches a prefix.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Workflow names; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(WorkflowNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only runs with these statuses.</summary>
    [Parameter]
    public RunStatus[]? Status { get; set; }

    /// <summary>At most this many runs (the newest).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    protected override void Process()
    {
        var runs = new WorkflowRuns(State).Find(new RunQuery { Ids = Id, Names = Name, Statuses = Status, First = First > 0 ? First : null });
        if (runs.Count == 0 && Id is { Length: > 0 } && Id.All(id => !WildcardPattern.ContainsWildcardCharacters(id)))
        {
            foreach (var id in Id)
            {
                WriteItemError(new RunNotFoundException(id), id);
            }
            return;
        }
        foreach (var run in runs)
        {
            WriteObject(run);
        }
    }
}
