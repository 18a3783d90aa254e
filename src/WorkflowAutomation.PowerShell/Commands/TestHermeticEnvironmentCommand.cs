using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Verifies a hermetic environment against its lock and writes what drifted.</summary>
/// <remarks>
/// Checks the lock against the manifest, every file of the installed tree against the sha512
/// recorded when it was built (a changed, added or missing file in node_modules,
/// site-packages, the tool path or the module folder is reported with its path), and the
/// versions of node, python and dotnet. A file whose size and modification time are those of the
/// last clean verify keeps its recorded hash; -Full re-reads every file. -Rebuild also restores the lock into a scratch folder
/// without the cache and compares the trees (reproducible or not, and what differs). Writes one
/// HermeticDrift per finding and nothing when the environment is as locked; -Quiet writes
/// $true or $false instead.
/// </remarks>
/// <example>
/// <code>Test-HermeticEnvironment -Name web</code>
/// <para>Lists what differs from the lock; nothing when all is well.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-HermeticEnvironment web -Quiet)) { Restore-HermeticEnvironment web }</code>
/// <para>Restores the environment when it drifted.</para>
/// </example>
/// <example>
/// <code>Test-HermeticEnvironment web -Rebuild | Where-Object Kind -eq NotReproducible</code>
/// <para>Rebuilds from the lock and shows what does not come out the same.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "HermeticEnvironment")]
[OutputType(typeof(HermeticDrift), typeof(bool))]
public sealed class TestHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>The environments to verify.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Also rebuilds from the lock without the cache and compares the trees.</summary>
    [Parameter]
    public SwitchParameter Rebuild { get; set; }

    /// <summary>Re-hashes every file. Without it, a file whose size and modification time are those seen at the last clean verify keeps its recorded hash (as git trusts its index).</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>Writes $true when nothing drifted, $false otherwise (the findings go to the verbose stream).</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void Process()
    {
        foreach (var name in Name)
        {
            IReadOnlyList<HermeticDrift> drifts;
            try
            {
                drifts = Service.Test(name, Rebuild, Progress, Cancellation, Full);
            }
            finally
            {
                CompleteProgress($"Verifying '{name}'");
            }
            if (Quiet)
            {
                foreach (var drift in drifts)
                {
                    WriteVerbose(drift.Message);
                }
                WriteObject(drifts.Count == 0);
            }
            else
            {
                WriteObject(drifts, enumerateCollection: true);
            }
        }
    }
}
