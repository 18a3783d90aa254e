using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Configuration;

/// <summary>
/// The configuration file: one <c>KEY=VALUE</c> a line, <c>#</c> comments, meant to be read
/// and edited by a person. Writing keeps comments and order and adds missing keys at the end.
/// </summary>
internal static class ConfigurationFile
{
    internal sealed record Line(int Number, string Value);

    internal sealed record Contents(IReadOnlyList<string> Lines, IReadOnlyDictionary<string, Line> Values);

    public static Contents Read(string path)
    {
        var values = new Dictionary<string, Line>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return new Contents([], values);
        }
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }
            var equals = text.IndexOf('=');
            if (equals <= 0)
            {
                throw new ConfigurationException(
                    $"{path}:{i + 1}: expected KEY=VALUE but found '{text}'. Fix or remove the line.", null, path, i + 1);
            }
            var name = text[..equals].Trim();
            if (ConfigurationKeys.Find(name) is null)
            {
                throw new ConfigurationException(
                    $"{path}:{i + 1}: '{name}' is not a configuration key.{DidYouMean.Hint(name, ConfigurationKeys.All.Select(k => k.Name))} Fix or remove the line.",
                    name, path, i + 1);
            }
            values[name] = new Line(i + 1, Unquote(text[(equals + 1)..].Trim()));
        }
        return new Contents(lines, values);
    }

    public static void Write(string path, IReadOnlyDictionary<string, string> changes)
    {
        var existing = Read(path);
        var lines = existing.Lines.Count == 0 ? DefaultLines() : existing.Lines.ToList();
        foreach (var (name, value) in changes)
        {
            // Prefer the live line; else take the place of the commented-out default.
            var index = lines.FindIndex(line => IsAssignmentOf(line, name));
            if (index < 0)
            {
                index = lines.FindIndex(line => line.TrimStart().StartsWith('#') && IsAssignmentOf(line.TrimStart()[1..], name));
            }
            var text = $"{name}={value}";
            if (index >= 0)
            {
                lines[index] = text;
            }
            else
            {
                lines.Add(text);
            }
        }
        OwnerOnly.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    private static List<string> DefaultLines()
    {
        var lines = new List<string>
        {
            "# WorkflowAutomation configuration: one KEY=VALUE a line.",
            "# An environment variable of the same name overrides a line here.",
            "# Commented-out lines show the defaults.",
        };
        foreach (var key in ConfigurationKeys.All)
        {
            lines.Add(string.Empty);
            lines.Add($"# {key.Description} ({key.Allowed})");
            lines.Add($"#{key.Name}={key.DefaultText}");
        }
        return lines;
    }

    private static bool IsAssignmentOf(string line, string name)
    {
        var text = line.TrimStart();
        return text.StartsWith(name, StringComparison.OrdinalIgnoreCase)
            && text[name.Length..].TrimStart().StartsWith('=');
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
