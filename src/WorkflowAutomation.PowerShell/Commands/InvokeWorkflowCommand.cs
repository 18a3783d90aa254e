using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Runs a workflow in this session and returns the recorded run.</summary>
/// <remarks>
/// Steps run by the workflow's execution_mode (sequential, parallel or conditional), with
/// their dependencies, conditions, retries, timeouts and approvals. pwsh steps run in a
/// reused runspace of this session; other shells run as processes whose whole process tree
/// is killed on timeout or Ctrl+C. Each step's output is shown prefixed by the step name
/// (information stream) and recorded; Get-WorkflowRunLog shows it later. Step outputs are
/// key=value lines written to the file named by $env:WORKFLOW_OUTPUT. Inputs reach steps
/// as ${{ inputs.name }} and $env:INPUT_NAME; outputs as ${{ steps.step.outputs.key }} and
/// $env:STEPS_STEP_OUTPUTS_KEY. When the run fails or is cancelled, the rollback commands of
/// the succeeded steps run, the last to succeed first. A run that does not succeed writes an
/// error after the run object, so $? is false and -ErrorAction Stop throws. Every run is
/// recorded in the state directory (Get-WorkflowRun).
/// </remarks>
/// <example>
/// <code>Invoke-Workflow -Path ./deploy.yaml -Parameter @{ version = '2.1' } -Approve deploy</code>
/// <para>Runs the workflow with an input, approving its 'deploy' gate in advance.</para>
/// </example>
/// <example>
/// <code>$env:CHAOS_ENABLED = 'true'; Invoke-Workflow ./deploy.yaml -ChaosProfile ./flaky-network.yaml</code>
/// <para>Runs the workflow with the profile's faults injected into its steps, to see that retries and timeouts hold.</para>
/// </example>
/// <example>
/// <code>Invoke-Workflow ./deploy.yaml -WhatIf</code>
/// <para>Shows the plan (waves, conditions, commands after interpolation) and runs nothing.</para>
/// </example>
/// <example>
/// <code>$job = Invoke-Workflow ./nightly.yaml -AsJob; Receive-Job $job -Wait</code>
/// <para>Runs the workflow in the background and collects the run when it ends.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "Workflow", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(WorkflowRun))]
public sealed class InvokeWorkflowCommand : WorkflowRunCmdlet
{
    private const string PathSet = "Path";
    private const string DefinitionSet = "Definition";

    /// <summary>The workflow YAML file to run.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ArgumentCompleter(typeof(WorkflowFileCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>A definition from Import-WorkflowDefinition.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefinitionSet, ValueFromPipeline = true)]
    public WorkflowDefinition? Definition { get; set; }

    /// <summary>Values for the workflow's inputs, such as @{ version = '2.1' }.</summary>
    [Parameter(Position = 1)]
    public Hashtable Parameter { get; set; } = [];

    /// <summary>The folder the run's steps start in, instead of the workflow's working_directory or, without one, the workflow file's folder. A step's relative working_directory is taken from here.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>Most steps at once; overrides the workflow's max_parallel.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int MaxParallel { get; set; }

    /// <summary>A chaos profile (YAML: step name patterns to chaos: settings) injected into this run's steps; needs CHAOS_ENABLED=true.</summary>
    [Parameter]
    public string? ChaosProfile { get; set; }

    protected override void Process()
    {
        var definition = Definition ?? Load();
        if (definition is null)
        {
            return;
        }
        if (!MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            WorkflowSession.Prepare(definition);
        }
        var parameters = Parameter.Keys.Cast<object>().ToDictionary(
            key => key.ToString()!,
            key => Parameter[key] is PSObject wrapped ? wrapped.BaseObject : Parameter[key],
            StringComparer.OrdinalIgnoreCase);
        var request = new RunRequest
        {
            Parameters = parameters,
            MaxParallel = MaxParallel > 0 ? MaxParallel : null,
            WorkingDirectory = ResolveFolder(WorkingDirectory),
            ChaosProfile = LoadChaosProfile(),
        };
        if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            ShowPlan(definition, parameters);
            return;
        }
        if (!ShouldProcess(definition.Name, "Run workflow"))
        {
            return;
        }
        RunWorkflow(definition, request, OpenStore());
    }

    /// <summary>The definition from -Path; null (with an error written) when no file matches.</summary>
    private WorkflowDefinition? Load() => ResolveFiles([Path]).FirstOrDefault() is { } file ? WorkflowParser.Load(file, ParseOptions) : null;

    private void ShowPlan(WorkflowDefinition definition, IReadOnlyDictionary<string, object?> parameters)
    {
        var inputs = WorkflowInputs.Resolve(definition, parameters);
        var limit = MaxParallel > 0 ? MaxParallel : definition.MaxParallel;
        WriteVerbose($"Workflow '{definition.Name}', {definition.ExecutionMode} mode{(limit is { } l ? $", at most {l} steps at once" : string.Empty)}, steps start in {RunFolder.Of(definition, ResolveFolder(WorkingDirectory))}.");
        foreach (var step in ExecutionPlan.Waves(definition, inputs))
        {
            var gate = step.ApprovalRequired ? (Approve.Contains(step.Name, StringComparer.OrdinalIgnoreCase) ? ", approved" : ", needs approval") : string.Empty;
            var after = step.DependsOn.Count > 0 ? $" after {string.Join(", ", step.DependsOn)}" : string.Empty;
            ShouldProcess(definition.Name,
                $"Wave {step.Wave}: step '{step.Name}' ({step.Shell}{gate}){Hermetic(definition, step.Name)}{after} if {step.Condition}: {step.Command.Trim()}" +
                (step.Rollback is null ? string.Empty : $" [rollback: {step.Rollback.Trim()}]"));
        }
    }

    private static string Hermetic(WorkflowDefinition definition, string step) =>
        definition.FindStep(step) is { } found ? StepEnvironmentChecks.Describe(found, definition) : string.Empty;

    private StepChaosProfile? LoadChaosProfile()
    {
        if (ChaosProfile is null)
        {
            return null;
        }
        // Faults in a run only where chaos is allowed.
        Chaos.ChaosSafety.RequireEnabled(Configuration);
        return StepChaosProfile.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(ChaosProfile));
    }
}
