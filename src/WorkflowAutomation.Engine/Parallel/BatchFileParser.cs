using System.Globalization;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// Reads the batch format: one <c>priority:command</c> a line, priority 1 (first) to 10
/// (last); blank lines and lines starting with <c>#</c> are ignored. Every malformed line
/// is reported at once, with its number, and no task is returned.
/// </summary>
public static class BatchFileParser
{
    /// <summary>Parses a batch file.</summary>
    public static IReadOnlyList<ParallelTask> ParseFile(string path) =>
        Parse(File.ReadAllLines(path), path);

    /// <summary>Parses batch lines; <paramref name="source"/> names them in errors (a file path or "input").</summary>
    public static IReadOnlyList<ParallelTask> Parse(IEnumerable<string> lines, string source = "input")
    {
        var tasks = new List<ParallelTask>();
        var problems = new List<(int Line, string Message)>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            if (IsIgnored(raw))
            {
                continue;
            }
            if (TryParseLine(raw, out var priority, out var command, out var problem))
            {
                tasks.Add(new ParallelTask { Priority = priority, Command = command, Line = number });
            }
            else
            {
                problems.Add((number, problem));
            }
        }
        if (problems.Count > 0)
        {
            var detail = ListProblems(problems.Select(p => $"{source}:{p.Line}: {p.Message}").ToList());
            throw new ParallelBatchException(ErrorIds.ParallelBatchLineInvalid,
                $"The batch {source} has {problems.Count} malformed line(s); nothing was run:{Environment.NewLine}{detail}{Environment.NewLine}" +
                "Each line must be 'priority:command' with a priority from 1 (first) to 10 (last), for example '1:make build'.",
                source, problems[0].Line);
        }
        return tasks;
    }

    /// <summary>The most problems an error lists; the rest are counted.</summary>
    public const int ProblemsListed = 10;

    /// <summary>
    /// The first <see cref="ProblemsListed"/> problems, one an indented line, then how many
    /// more there are: 2,000 wrong lines make a readable error, not a screenful of the same.
    /// </summary>
    public static string ListProblems(IReadOnlyList<string> problems)
    {
        var listed = string.Join(Environment.NewLine, problems.Take(ProblemsListed).Select(problem => "  " + problem));
        return problems.Count > ProblemsListed
            ? $"{listed}{Environment.NewLine}  ... and {problems.Count - ProblemsListed} more"
            : listed;
    }

    /// <summary>Whether a line is blank or a comment.</summary>
    public static bool IsIgnored(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    /// <summary>Parses one <c>priority:command</c> line; on failure says what is wrong with it.</summary>
    public static bool TryParseLine(string line, out int priority, out string command, out string problem)
    {
        priority = 0;
        command = string.Empty;
        var colon = line.IndexOf(':');
        if (colon < 0)
        {
            problem = $"'{Shorten(line)}' has no 'priority:' prefix.";
            return false;
        }
        var prefix = line[..colon].Trim();
        if (!int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out priority)
            || priority < ParallelTask.HighestPriority || priority > ParallelTask.LowestPriority)
        {
            problem = $"'{prefix}' is not a priority from 1 to 10.";
            return false;
        }
        command = line[(colon + 1)..].Trim();
        if (command.Length == 0)
        {
            problem = "the command after the priority is empty.";
            return false;
        }
        problem = string.Empty;
        return true;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line.Trim() : line.Trim()[..57] + "...";
}
