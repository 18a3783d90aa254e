using System.Management.Automation;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Installs packages into a hermetic environment and adds them to its manifest.</summary>
/// <remarks>
/// The manager resolves the package and its dependencies (npm with its own package-lock.json;
/// pip from the manifest's index URLs and --find-links folders only, wheels only; dotnet tool
/// install; PSResourceGet's Save-PSResource for PowerShell modules). The new tree is built beside
/// the old one and swapped in at the end: a failure or Ctrl+C leaves the environment and the
/// manifest as they were. Files go into the shared content-addressed cache and are hard-linked
/// into the tree. Install scripts of npm packages do not run. Run Lock-HermeticEnvironment
/// afterwards to pin the result in the lock file.
/// </remarks>
/// <example>
/// <code>Install-HermeticPackage -Environment web -Manager npm -Name express -Version 4.21.2</code>
/// <para>Installs express 4.21.2 and its dependencies into the environment 'web'.</para>
/// </example>
/// <example>
/// <code>Install-HermeticPackage -Environment tools -Manager pip -Name mylib -Source ./wheels</code>
/// <para>Installs the wheel mylib from the folder ./wheels (added to the manifest's pip sources).</para>
/// </example>
/// <example>
/// <code>Install-HermeticPackage tools -Manager psmodule -Name WorkflowAutomation -Source ./out/repository</code>
/// <para>Saves a PowerShell module from a local PSResourceGet folder repository into the environment's PSModulePath.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Install, "HermeticPackage", SupportsShouldProcess = true)]
[OutputType(typeof(HermeticEnvironment))]
public sealed class InstallHermeticPackageCommand : HermeticCmdlet
{
    /// <summary>The environment to install into (a name, or an environment object from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string Environment { get; set; } = string.Empty;

    /// <summary>The package manager: npm, pip, dotnet (tools) or psmodule.</summary>
    [Parameter(Mandatory = true)]
    public PackageManager Manager { get; set; }

    /// <summary>The package names.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string[] Name { get; set; } = [];

    /// <summary>A version or range in the manager's syntax (4.21.2, ^4.0, >=2,&lt;3). The newest when omitted.</summary>
    [Parameter]
    public string? Version { get; set; }

    /// <summary>A source to add to the manifest for this manager: npm registry URL, pip index URL or --find-links folder, NuGet source, or PSResourceGet repository folder or URL.</summary>
    [Parameter]
    public string? Source { get; set; }

    protected override void Process()
    {
        var source = Source is null || Source.Contains("://", StringComparison.Ordinal) ? Source
            : System.IO.Path.GetRelativePath(ManifestFolder(), SessionState.Path.GetUnresolvedProviderPathFromPSPath(Source));
        foreach (var name in Name)
        {
            if (!ShouldProcess(Environment, $"Install {Manager} package '{name}'{(Version is null ? string.Empty : " " + Version)}"))
            {
                continue;
            }
            var activity = $"Installing {name} into '{Environment}'";
            try
            {
                WriteObject(Service.Install(Environment, Manager, name, Version, source, Progress, Cancellation));
            }
            finally
            {
                CompleteProgress(activity);
            }
        }
    }

    private string ManifestFolder() =>
        System.IO.Path.GetDirectoryName(Service.ResolveManifest(Environment).Path)!;
}
