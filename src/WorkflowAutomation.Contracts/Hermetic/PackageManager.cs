namespace WorkflowAutomation.Hermetic;

/// <summary>The package managers an environment pins together.</summary>
public enum PackageManager
{
    /// <summary>npm packages in node_modules, pinned by npm's own package-lock.json.</summary>
    Npm,
    /// <summary>Python wheels in a venv, installed with --require-hashes.</summary>
    Pip,
    /// <summary>.NET tools in a tool path, checked against NuGet's package hashes.</summary>
    Dotnet,
    /// <summary>PowerShell modules saved from a PSResourceGet repository into the environment's PSModulePath.</summary>
    PSModule,
}
