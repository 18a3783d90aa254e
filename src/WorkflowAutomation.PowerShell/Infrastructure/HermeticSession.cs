using System.Collections;
using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// The environment this process entered with Enter-HermeticEnvironment: every variable and
/// the prompt as they were before, so that Exit-HermeticEnvironment restores them exactly.
/// Environment variables belong to the process, so there is one slot per process.
/// </summary>
internal static class HermeticSession
{
    private static readonly object Gate = new();

    public sealed record Entered(string Name, Dictionary<string, string> Variables, ScriptBlock? Prompt);

    public static Entered? Current { get; private set; }

    public static Dictionary<string, string> Snapshot()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }
        return result;
    }

    /// <summary>Makes the process environment exactly <paramref name="variables"/>.</summary>
    public static void Apply(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var name in Snapshot().Keys.Where(name => !variables.ContainsKey(name)))
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public static void Enter(Entered entered)
    {
        lock (Gate)
        {
            Current = entered;
        }
    }

    public static Entered? Leave()
    {
        lock (Gate)
        {
            var entered = Current;
            Current = null;
            return entered;
        }
    }
}
