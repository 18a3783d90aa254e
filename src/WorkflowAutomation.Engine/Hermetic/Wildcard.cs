using System.Text.RegularExpressions;

namespace WorkflowAutomation.Hermetic;

/// <summary>PowerShell-style * and ? patterns, case-insensitive.</summary>
internal static class Wildcard
{
    public static bool IsMatch(string text, string pattern) =>
        Regex.IsMatch(text, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase);
}
