using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Facades;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Runs a recorded run's workflow again, with the same definition and parameters.</summary>
/// <remarks>
/// The definition recorded with the run is used, so an edited file does not change what a
/// restart means. With -FromFailedStep, steps that succeeded are not run again: they keep
/// their status and outputs, which later steps read as before. The new run records the id
/// of the one it restarts (RestartOf).
/// </remarks>
/// <example>
/// <code>Restart-WorkflowRun -Id 20261127-101500-3fa9c1 -FromFailedStep</code>
/// <para>Continues a failed run from the step that failed.</para>
/// </example>
/// <example>
/// <code>Get-WorkflowRun -Status Failed | Restart-WorkflowRun -FromFailedStep</code>
/// <para>Retries every failed run.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Restart, "WorkflowRun", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowRun))]
public sealed class RestartWorkflowRunCommand : WorkflowRunCmdlet
{
    /// <summary>The run to restart.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string Id { get; set; } = string.Empty;

    /// <summary>Does not run again the steps that succeeded; their outputs are reused.</summary>
    [Parameter]
    public SwitchParameter FromFailedStep { get; set; }

    /// <summary>The folder the steps start in, instead of the workflow's working_directory or, without one, the workflow file's folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    protected override void Process()
    {
        var folder = ResolveFolder(WorkingDirectory);
        WorkflowDefinition definition;
        WorkflowRun previous;
        try
        {
            (definition, previous) = new WorkflowRuns(State).ForRestart(Id);
        }
        catch (RunNotFoundException exception)
        {
            WriteItemError(exception, Id);
            return;
        }
        if (!ShouldProcess($"{previous.Name} {previous.Id}", FromFailedStep ? "Restart from the failed step" : "Restart"))
        {
            return;
        }
        RunWorkflow(definition, new RunRequest
        {
            Parameters = previous.Parameters.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.OrdinalIgnoreCase),
            RestartOf = previous,
            ReuseSucceededSteps = FromFailedStep,
            WorkingDirectory = folder,
        }, OpenStore());
    }
}
