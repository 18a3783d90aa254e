using System.Collections.Concurrent;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// The fast path for the commonest batch line, a program and plain words ("make test",
/// "true"): it is started directly, as xargs does, instead of through <c>sh -c</c>, which
/// would cost a second exec per task. Anything the shell would interpret (quotes,
/// variables, redirections, globs, pipes, assignments, builtins that are not programs on
/// PATH) goes through the shell, so the result is the same either way.
/// </summary>
internal static class DirectCommand
{
    private static readonly char[] ShellSyntax = "\"'\\$`;&|<>()*?[]{}~#=%!\n\r".ToCharArray();
    private static readonly ConcurrentDictionary<(string Path, string Name), string?> Resolved = new();

    /// <summary>The program and its arguments when the command needs no shell; false otherwise (and on Windows).</summary>
    public static bool TryParse(string command, out string program, out string[] arguments)
    {
        program = string.Empty;
        arguments = [];
        if (OperatingSystem.IsWindows() || command.IndexOfAny(ShellSyntax) >= 0)
        {
            return false;
        }
        var words = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || Find(words[0]) is not { } path)
        {
            return false;
        }
        program = path;
        arguments = words[1..];
        return true;
    }

    private static string? Find(string name)
    {
        var searchPath = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return Resolved.GetOrAdd((searchPath, name), static key => Search(key.Path, key.Name));
    }

    private static string? Search(string searchPath, string name)
    {
        if (name.Contains('/'))
        {
            // Relative paths depend on the working directory: leave them to the shell.
            return Path.IsPathRooted(name) && IsExecutable(name) ? name : null;
        }
        foreach (var folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (Path.IsPathRooted(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return false;
        }
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
