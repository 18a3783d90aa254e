using WorkflowAutomation.Common;
namespace WorkflowAutomation.Parallel;

/// <summary>
/// The tasks of a batch with their ids assigned and their dependencies checked: unique ids,
/// known dependencies, no cycles. Built before anything runs, so a bad batch runs nothing.
/// </summary>
internal sealed class TaskGraph
{
    private TaskGraph(ParallelTask[] tasks, int[][] dependencies, int[][] dependants)
    {
        Tasks = tasks;
        Dependencies = dependencies;
        Dependants = dependants;
    }

    /// <summary>The tasks in input order, each with an id.</summary>
    public ParallelTask[] Tasks { get; }

    /// <summary>For each task, the indexes of the tasks it waits for.</summary>
    public int[][] Dependencies { get; }

    /// <summary>For each task, the indexes of the tasks that wait for it.</summary>
    public int[][] Dependants { get; }

    public static TaskGraph Build(IReadOnlyList<ParallelTask> input)
    {
        var tasks = new ParallelTask[input.Count];
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < input.Count; i++)
        {
            var task = input[i];
            Validate(task, i);
            var id = string.IsNullOrWhiteSpace(task.Id) ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : task.Id.Trim();
            tasks[i] = id == task.Id ? task : Copy(task, id);
            if (!index.TryAdd(id, i))
            {
                throw new ParallelBatchException(ErrorIds.ParallelTaskIdDuplicate,
                    $"Two tasks have the id '{id}' ({Where(tasks[index[id]])} and {Where(tasks[i])}). Give each task its own -Id.", line: task.Line);
            }
        }

        var dependencies = new int[tasks.Length][];
        var dependants = new List<int>[tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            dependants[i] = [];
        }
        for (var i = 0; i < tasks.Length; i++)
        {
            var waits = new List<int>();
            foreach (var name in tasks[i].DependsOn.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => d.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!index.TryGetValue(name, out var dependency))
                {
                    throw new ParallelBatchException(ErrorIds.ParallelTaskDependencyUnknown,
                        $"Task '{tasks[i].Id}' depends on '{name}', which is not a task of this batch." +
                        $"{Common.DidYouMean.Hint(name, index.Keys)} Nothing was run.", line: tasks[i].Line);
                }
                if (dependency == i)
                {
                    throw new ParallelBatchException(ErrorIds.ParallelTaskDependencyCycle,
                        $"Task '{tasks[i].Id}' depends on itself. Nothing was run.", line: tasks[i].Line);
                }
                waits.Add(dependency);
                dependants[dependency].Add(i);
            }
            dependencies[i] = [.. waits];
        }
        var graph = new TaskGraph(tasks, dependencies, dependants.Select(d => d.ToArray()).ToArray());
        graph.RejectCycles();
        return graph;
    }

    private static void Validate(ParallelTask task, int position)
    {
        if (task.Priority is < ParallelTask.HighestPriority or > ParallelTask.LowestPriority)
        {
            throw new ParallelBatchException(ErrorIds.ParallelTaskInvalid,
                $"Task {Where(task, position)} has priority {task.Priority}; use 1 (first) to 10 (last). Nothing was run.", line: task.Line);
        }
        if (string.IsNullOrWhiteSpace(task.Command) && task.ScriptBlock is null)
        {
            throw new ParallelBatchException(ErrorIds.ParallelTaskInvalid,
                $"Task {Where(task, position)} has neither a command nor a script block. Nothing was run.", line: task.Line);
        }
    }

    /// <summary>Kahn's algorithm: whatever cannot be ordered sits on a cycle, which is named in the error.</summary>
    private void RejectCycles()
    {
        var waiting = Dependencies.Select(d => d.Length).ToArray();
        var ready = new Queue<int>(Enumerable.Range(0, Tasks.Length).Where(i => waiting[i] == 0));
        var ordered = 0;
        while (ready.TryDequeue(out var next))
        {
            ordered++;
            foreach (var dependant in Dependants[next])
            {
                if (--waiting[dependant] == 0)
                {
                    ready.Enqueue(dependant);
                }
            }
        }
        if (ordered == Tasks.Length)
        {
            return;
        }
        var cycle = FindCycle(waiting);
        throw new ParallelBatchException(ErrorIds.ParallelTaskDependencyCycle,
            $"The dependencies form a cycle: {string.Join(" -> ", cycle.Select(i => Tasks[i].Id))}. Remove one of these DependsOn entries; nothing was run.",
            line: Tasks[cycle[0]].Line);
    }

    private List<int> FindCycle(int[] waiting)
    {
        // Every unordered task waits on another unordered task: walk those edges until one repeats.
        var path = new List<int>();
        var seen = new Dictionary<int, int>();
        var current = Array.FindIndex(waiting, w => w > 0);
        while (!seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            current = Dependencies[current].First(d => waiting[d] > 0);
        }
        var cycle = path.Skip(seen[current]).ToList();
        cycle.Add(current);
        return cycle;
    }

    private static ParallelTask Copy(ParallelTask task, string id) => new()
    {
        Id = id,
        Priority = task.Priority,
        Command = task.Command,
        ScriptBlock = task.ScriptBlock,
        ArgumentList = task.ArgumentList,
        DependsOn = task.DependsOn,
        Line = task.Line,
    };

    private static string Where(ParallelTask task, int? position = null) =>
        task.Line is { } line ? $"on line {line}" : !string.IsNullOrWhiteSpace(task.Id) ? $"'{task.Id}'" : $"#{position + 1}";
}
