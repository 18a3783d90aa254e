using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Recreates a hermetic environment exactly from its lock, on this or another machine.</summary>
/// <remarks>
/// Frozen, like npm ci and uv sync --locked: nothing is resolved, a lock that does not answer
/// the manifest is refused (saying what differs), and every artifact's sha512 is checked.
/// Files already in the shared cache are hard-linked (fast); the others are fetched by their
/// manager. The new tree is built beside the old one and swapped in at the end, so a failure or
/// Ctrl+C changes nothing. -Path restores from a manifest folder (for example a fresh clone)
/// and registers the environment under the manifest's name.
/// </remarks>
/// <example>
/// <code>Restore-HermeticEnvironment -Path ./web</code>
/// <para>Restores the environment described by ./web/hermetic.json and ./web/hermetic.lock.json.</para>
/// </example>
/// <example>
/// <code>Get-HermeticEnvironment | Restore-HermeticEnvironment</code>
/// <para>Brings every environment back to its lock.</para>
/// </example>
[Cmdlet(VerbsData.Restore, "HermeticEnvironment", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(HermeticEnvironment))]
public sealed class RestoreHermeticEnvironmentCommand : HermeticCmdlet
{
    private const string NameSet = "Name";
    private const string PathSet = "Path";

    /// <summary>Registered environments to restore from their locks.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>A folder holding hermetic.json and hermetic.lock.json, or the manifest file itself.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    protected override void Process()
    {
        var targets = ParameterSetName == PathSet ? [SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path)] : Name;
        foreach (var target in targets)
        {
            if (!ShouldProcess(target, "Restore hermetic environment from its lock"))
            {
                continue;
            }
            try
            {
                var environment = Service.Restore(target, Progress, Cancellation, out var warnings);
                foreach (var warning in warnings)
                {
                    WriteWarning(warning);
                }
                WriteObject(environment);
            }
            finally
            {
                CompleteProgress("Restore");
            }
        }
    }
}
