using System.Security.Cryptography;
using System.Text;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The secret the dashboard's HTTP API requires for anything that changes state. Kept in an
/// owner-only file; compared in constant time.
/// </summary>
public static class DaemonToken
{
    /// <summary>Returns the token, creating it (0600) on first use.</summary>
    public static string EnsureCreated(DaemonPaths paths)
    {
        paths.EnsureFolders();
        if (Read(paths) is { Length: > 0 } existing)
        {
            OwnerOnly.RestrictFile(paths.TokenFile);
            return existing;
        }
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        OwnerOnly.WriteAllText(paths.TokenFile, token + "\n");
        return token;
    }

    /// <summary>The token, or null when none was created yet.</summary>
    public static string? Read(DaemonPaths paths) =>
        File.Exists(paths.TokenFile) ? File.ReadAllText(paths.TokenFile).Trim() : null;

    /// <summary>Compares a presented token with the real one without leaking where they differ.</summary>
    public static bool Matches(string expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
