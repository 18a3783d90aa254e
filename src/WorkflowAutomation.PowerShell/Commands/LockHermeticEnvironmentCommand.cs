using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Writes the lock file (hermetic.lock.json) next to the manifest.</summary>
/// <remarks>
/// The lock pins what was resolved: exact versions, sources and the sha512 integrity of every
/// artifact (transitive ones included) per manager, npm's own package-lock.json, the digest of
/// each installed tree and the tool versions that built it. Managers whose manifest entries
/// changed since the last install are resolved again first. Commit the lock with the manifest.
/// </remarks>
/// <example>
/// <code>Lock-HermeticEnvironment -Name web; git add web/hermetic.json web/hermetic.lock.json</code>
/// <para>Pins the environment 'web' and stages both files.</para>
/// </example>
[Cmdlet(VerbsCommon.Lock, "HermeticEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(HermeticEnvironment))]
public sealed class LockHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>The environments to lock.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string[] Name { get; set; } = [];

    protected override void Process()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Write the lock file"))
            {
                try
                {
                    WriteObject(Service.Lock(name, Progress, Cancellation));
                }
                finally
                {
                    CompleteProgress($"Hermetic environment '{name}'");
                }
            }
        }
    }
}
