using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.LoadContext;

/// <summary>
/// Runs on every Import-Module (once per runspace); what it installs is process-wide and idempotent.
/// The types users see come from WorkflowAutomation.Contracts, which the manifest loads into
/// PowerShell's default context, so type literals, -is and casts need no registration.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => DependencyLoadContext.Install();
}
