using System.Management.Automation;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.State;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Creates the state directory, a default configuration file and an example workflow.</summary>
/// <remarks>
/// The state directory is $env:WORKFLOW_AUTOMATION_HOME, else the platform's per-user state
/// folder (Linux: $XDG_STATE_HOME or ~/.local/state; macOS: ~/Library/Application Support;
/// Windows: %LOCALAPPDATA%) followed by WorkflowAutomation. It is created readable by its
/// owner only. Existing files are kept unless -Force is given.
/// </remarks>
/// <example>
/// <code>Initialize-WorkflowFramework; Invoke-Workflow -Path (Initialize-WorkflowFramework).ExampleWorkflow</code>
/// <para>Sets up the framework and runs the example workflow it wrote.</para>
/// </example>
[Cmdlet(VerbsData.Initialize, "WorkflowFramework", SupportsShouldProcess = true)]
[OutputType(typeof(FrameworkInfo))]
public sealed class InitializeWorkflowFrameworkCommand : WorkflowCmdlet
{
    /// <summary>Overwrites the configuration file and the example workflow with their defaults.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        if (ShouldProcess(State.Root, Force ? "Initialize (overwriting configuration and example)" : "Initialize"))
        {
            WriteObject(FrameworkInitializer.Initialize(State, Force));
        }
    }
}
