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

/// <summary>Manager names as written in manifests and locks.</summary>
public static class PackageManagerNames
{
    public static string Of(PackageManager manager) => manager switch
    {
        PackageManager.Npm => "npm",
        PackageManager.Pip => "pip",
        PackageManager.Dotnet => "dotnet",
        PackageManager.PSModule => "psmodule",
        _ => throw new ArgumentOutOfRangeException(nameof(manager)),
    };

    public static bool TryParse(string text, out PackageManager manager)
    {
        foreach (var candidate in Enum.GetValues<PackageManager>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                manager = candidate;
                return true;
            }
        }
        manager = default;
        return false;
    }

    public static string All => string.Join(", ", Enum.GetValues<PackageManager>().Select(Of));
}
