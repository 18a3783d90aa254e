using System.Text.RegularExpressions;

namespace WorkflowAutomation.Common;

/// <summary>
/// The one wildcard matcher of the module: * and ?, case-insensitive, as PowerShell users
/// expect of -Name parameters. Run ids, workflow, breaker, schedule and metric names all use it.
/// </summary>
public static class Wildcard
{
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    public static bool IsMatch(string text, string pattern) => Matcher(pattern)(text);

    /// <summary>A matcher built once, for checking many names against one pattern; null or * matches everything.</summary>
    public static Func<string, bool> Matcher(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern == "*")
        {
            return _ => true;
        }
        if (!HasWildcards(pattern))
        {
            return text => string.Equals(text, pattern, StringComparison.OrdinalIgnoreCase);
        }
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        return regex.IsMatch;
    }
}
