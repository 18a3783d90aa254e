using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Enters a hermetic environment in this session: its PATH, HOME, variables, PSModulePath and prompt.</summary>
/// <remarks>
/// Saves every environment variable and the prompt, then leaves only the allow-list (locale,
/// terminal, proxies) and sets the environment's own: HOME, TMPDIR and every manager's cache
/// and config inside it, PATH with its tool wrappers (git, npm, node, python, pip, pwsh, dotnet)
/// and tools first, and PSModulePath with its modules first. The prompt starts with
/// (hermetic:name). Exit-HermeticEnvironment puts everything back exactly. In a POSIX shell,
/// source the environment's activate script instead (Get-HermeticEnvironment shows its path)
/// and leave with deactivate_hermetic.
/// </remarks>
/// <example>
/// <code>Enter-HermeticEnvironment web; npm ls; Exit-HermeticEnvironment</code>
/// <para>Works inside the environment 'web', then leaves it.</para>
/// </example>
[Cmdlet(VerbsCommon.Enter, "HermeticEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class EnterHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>The environment: a name, a manifest file or a folder holding hermetic.json.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string Name { get; set; } = string.Empty;

    protected override void Process()
    {
        if (HermeticSession.Current is { } current)
        {
            throw new HermeticException(ErrorIds.HermeticAlreadyEntered, ErrorKind.InvalidOperation,
                $"This session is inside the hermetic environment '{current.Name}'. Run Exit-HermeticEnvironment first.");
        }
        if (!ShouldProcess(Name, "Enter hermetic environment (change PATH, HOME, variables and the prompt)"))
        {
            return;
        }
        var isolation = Service.Isolation(Service.EnsureRestored(Name, Progress, Cancellation));
        var prompt = (InvokeCommand.GetCommand("prompt", CommandTypes.Function) as FunctionInfo)?.ScriptBlock;
        HermeticSession.Enter(new HermeticSession.Entered(isolation.Name, HermeticSession.Snapshot(), prompt));
        HermeticSession.Apply(isolation.Variables);
        var inner = prompt?.ToString() ?? "\"PS $($executionContext.SessionState.Path.CurrentLocation)$('>' * ($nestedPromptLevel + 1)) \"";
        SetPrompt(InvokeCommand, ScriptBlock.Create($"\"(hermetic:{isolation.Name}) \" + (& {{ {inner} }})"));
    }

    internal static void SetPrompt(CommandInvocationIntrinsics invoke, ScriptBlock prompt) =>
        invoke.InvokeScript(false, ScriptBlock.Create("param($p) Set-Item -Path function:global:prompt -Value $p"), null, prompt);
}
