using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Removes hermetic environments from the state directory.</summary>
/// <remarks>
/// Removes the environment's registration, HOME and wrappers. The manifest and lock in your
/// repository stay, so Restore-HermeticEnvironment -Path brings it back; the shared tree
/// stays until Clear-HermeticCache -Unused.
/// </remarks>
/// <example>
/// <code>Remove-HermeticEnvironment -Name web</code>
/// <para>Removes the environment 'web' after confirmation.</para>
/// </example>
/// <example>
/// <code>Get-HermeticEnvironment test-* | Remove-HermeticEnvironment -Confirm:$false</code>
/// <para>Removes every environment whose name starts with test-.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HermeticEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>The environments to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string[] Name { get; set; } = [];

    protected override void Process()
    {
        foreach (var name in Name)
        {
            try
            {
                if (ShouldProcess(name, "Remove hermetic environment"))
                {
                    Service.Remove(name);
                }
            }
            catch (WorkflowAutomation.Common.WorkflowAutomationException exception)
            {
                WriteItemError(exception, name);
            }
        }
    }
}
