namespace WorkflowAutomation.Hermetic;

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
