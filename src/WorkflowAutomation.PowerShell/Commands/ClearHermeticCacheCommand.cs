using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Trims the shared cache of hermetic environments.</summary>
/// <remarks>
/// Without -Unused, empties the cache (installed environments keep working: their files are
/// hard links of their own; the next restore fetches again). With -Unused, removes the trees no
/// environment uses any more and the cache entries no remaining tree refers to.
/// </remarks>
/// <example>
/// <code>Clear-HermeticCache -Unused</code>
/// <para>Frees what no environment needs.</para>
/// </example>
[Cmdlet(VerbsCommon.Clear, "HermeticCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HermeticCacheInfo))]
public sealed class ClearHermeticCacheCommand : HermeticCmdlet
{
    /// <summary>Removes only what no environment uses.</summary>
    [Parameter]
    public SwitchParameter Unused { get; set; }

    protected override void Process()
    {
        if (ShouldProcess(Service.Paths.Cache, Unused ? "Remove unused cache entries and trees" : "Empty the hermetic cache"))
        {
            WriteObject(Service.ClearCache(Unused));
        }
    }
}
