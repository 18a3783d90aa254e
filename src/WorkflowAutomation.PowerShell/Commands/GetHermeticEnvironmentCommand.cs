using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Lists hermetic environments with their manifest, lock state, packages and size.</summary>
/// <remarks>
/// SizeBytes counts the files of the environment's tree (hard links into the shared cache, so
/// they cost disk once however many environments use them); CacheSizeBytes is the shared
/// cache. Packages lists every resolved package, transitive ones included.
/// </remarks>
/// <example>
/// <code>Get-HermeticEnvironment</code>
/// <para>Lists every environment.</para>
/// </example>
/// <example>
/// <code>(Get-HermeticEnvironment web).Packages | Where-Object Manager -eq Npm | Format-Table Name, Version, Integrity</code>
/// <para>Shows the npm packages of 'web' with their sha512 integrity.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HermeticEnvironment")]
[OutputType(typeof(HermeticEnvironment))]
public sealed class GetHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>Environment names; wildcards are allowed. All environments when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string[] Name { get; set; } = [];

    protected override void Process()
    {
        var found = Service.Get(Name).ToList();
        WriteObject(found, enumerateCollection: true);
        foreach (var name in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !found.Any(e => e.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            WriteItemError(new HermeticException(ErrorIds.HermeticEnvironmentNotFound, ErrorKind.ObjectNotFound,
                $"There is no hermetic environment '{name}'. New-HermeticEnvironment creates one."), name);
        }
    }
}
