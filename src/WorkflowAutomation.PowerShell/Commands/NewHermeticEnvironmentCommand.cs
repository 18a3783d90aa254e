using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Creates a hermetic environment: a manifest in your repository and an empty, isolated environment.</summary>
/// <remarks>
/// Writes hermetic.json (the manifest: what the environment asks for) into -Path, or adopts
/// the one already there, and registers the environment in the state directory with its own
/// HOME, tool wrappers and a POSIX activate script. Add packages with Install-HermeticPackage,
/// pin them with Lock-HermeticEnvironment, and commit hermetic.json and hermetic.lock.json.
/// </remarks>
/// <example>
/// <code>New-HermeticEnvironment -Name web -Path ./web</code>
/// <para>Creates ./web/hermetic.json and the environment 'web'.</para>
/// </example>
/// <example>
/// <code>New-HermeticEnvironment web | Install-HermeticPackage -Manager npm -Name express</code>
/// <para>Creates the environment in the current folder and installs express into it.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HermeticEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(HermeticEnvironment))]
public sealed class NewHermeticEnvironmentCommand : HermeticCmdlet
{
    /// <summary>The environment's name: letters, digits, '.', '_' and '-'.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The folder (usually your repository) that holds the manifest and the lock. The default is the current folder.</summary>
    [Parameter(Position = 1)]
    public string? Path { get; set; }

    protected override void Process()
    {
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (ShouldProcess($"{Name} ({System.IO.Path.Combine(folder, HermeticManifest.FileName)})", "Create hermetic environment"))
        {
            WriteObject(Service.Create(Name, folder));
        }
    }
}
