using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Leaves the hermetic environment this session entered, restoring every variable and the prompt exactly.</summary>
/// <example>
/// <code>Exit-HermeticEnvironment</code>
/// <para>Puts PATH, HOME, PSModulePath, every other variable and the prompt back as they were before Enter-HermeticEnvironment.</para>
/// </example>
[Cmdlet(VerbsCommon.Exit, "HermeticEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class ExitHermeticEnvironmentCommand : HermeticCmdlet
{
    protected override void Process()
    {
        if (HermeticSession.Current is not { } entered)
        {
            throw new HermeticException(ErrorIds.HermeticNotEntered, ErrorKind.InvalidOperation,
                "This session is not inside a hermetic environment. Enter one with Enter-HermeticEnvironment.");
        }
        if (!ShouldProcess(entered.Name, "Leave hermetic environment"))
        {
            return;
        }
        HermeticSession.Leave();
        HermeticSession.Apply(entered.Variables);
        if (entered.Prompt is { } prompt)
        {
            EnterHermeticEnvironmentCommand.SetPrompt(InvokeCommand, prompt);
        }
    }
}
