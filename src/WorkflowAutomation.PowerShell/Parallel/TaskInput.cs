using System.Collections;
using System.Globalization;
using System.Management.Automation;
using WorkflowAutomation.Parallel;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.PowerShell.Parallel;

/// <summary>
/// Turns what the pipeline brings into tasks: ParallelTask objects, batch-form strings
/// ("2:make test"), script blocks, and any object with Command or ScriptBlock, Priority,
/// Id and DependsOn properties (Import-Csv rows). Problems are collected with the input
/// position so that all of them are reported at once and nothing runs.
/// </summary>
internal sealed class TaskInput
{
    private static readonly char[] ListSeparators = [',', ';', ' ', '\t'];
    private readonly List<ParallelTask> tasks = [];
    private readonly List<string> problems = [];
    private int position;

    public IReadOnlyList<ParallelTask> Tasks => tasks;

    public void AddFile(string path)
    {
        try
        {
            tasks.AddRange(BatchFileParser.ParseFile(path));
        }
        catch (ParallelBatchException exception)
        {
            problems.Add(exception.Message);
        }
    }

    public void Add(object? item)
    {
        position++;
        var value = item is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : item;
        switch (value)
        {
            case null:
                Problem("the item is null.");
                break;
            case ParallelTask task:
                tasks.Add(task);
                break;
            case ScriptBlock block:
                tasks.Add(new ParallelTask { ScriptBlock = block });
                break;
            case string line:
                AddLine(line);
                break;
            case PSObject properties:
                AddObject(properties);
                break;
            case IDictionary table:
                var fromTable = new PSObject();
                foreach (DictionaryEntry entry in table)
                {
                    fromTable.Properties.Add(new PSNoteProperty(entry.Key.ToString()!, entry.Value));
                }
                AddObject(fromTable);
                break;
            default:
                AddObject(PSObject.AsPSObject(value));
                break;
        }
    }

    /// <summary>Throws one error listing every problem, before anything runs.</summary>
    public void ThrowIfInvalid()
    {
        if (problems.Count > 0)
        {
            throw new ParallelBatchException(ErrorIds.ParallelBatchLineInvalid,
                $"{problems.Count} input item(s) cannot be run; nothing was run:{Environment.NewLine}" +
                BatchFileParser.ListProblems(problems) + Environment.NewLine +
                "Give 'priority:command' strings (priority 1 to 10), script blocks, or objects with Command or ScriptBlock, Priority, Id and DependsOn.");
        }
    }

    private void AddLine(string line)
    {
        if (BatchFileParser.IsIgnored(line))
        {
            return;
        }
        if (BatchFileParser.TryParseLine(line, out var priority, out var command, out var problem))
        {
            tasks.Add(new ParallelTask { Priority = priority, Command = command, Line = position });
        }
        else
        {
            Problem(problem);
        }
    }

    private void AddObject(PSObject item)
    {
        var command = Text(item, "Command");
        var script = item.Properties["ScriptBlock"]?.Value;
        var block = script switch
        {
            PSObject { BaseObject: ScriptBlock wrapped } => wrapped,
            ScriptBlock direct => direct,
            string text when !string.IsNullOrWhiteSpace(text) => ScriptBlock.Create(text),
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(command) && block is null)
        {
            Problem("the item has no Command or ScriptBlock property.");
            return;
        }
        var priority = ParallelTask.DefaultPriority;
        var priorityText = Text(item, "Priority");
        if (!string.IsNullOrWhiteSpace(priorityText)
            && (!int.TryParse(priorityText, NumberStyles.Integer, CultureInfo.InvariantCulture, out priority)
                || priority is < ParallelTask.HighestPriority or > ParallelTask.LowestPriority))
        {
            Problem($"the item has priority '{priorityText}'; use 1 (first) to 10 (last).");
            return;
        }
        tasks.Add(new ParallelTask
        {
            Id = Text(item, "Id") ?? string.Empty,
            Priority = priority,
            Command = block is null ? command : null,
            ScriptBlock = block,
            DependsOn = List(item.Properties["DependsOn"]?.Value),
            ArgumentList = Arguments(item.Properties["ArgumentList"]?.Value),
            Line = position,
        });
    }

    private static string? Text(PSObject item, string name) =>
        item.Properties[name]?.Value is { } value ? LanguagePrimitives.ConvertTo<string>(value)?.Trim() : null;

    private static IReadOnlyList<string> List(object? value) => value switch
    {
        null => [],
        PSObject wrapped => List(wrapped.BaseObject),
        string text => text.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        IEnumerable many => many.Cast<object?>().SelectMany(List).ToList(),
        _ => [LanguagePrimitives.ConvertTo<string>(value)],
    };

    private static IReadOnlyList<object?> Arguments(object? value) => value switch
    {
        null => [],
        PSObject { BaseObject: object[] many } => many,
        object[] many => many,
        _ => [value],
    };

    private void Problem(string what) => problems.Add($"input line {position}: {what}");
}
