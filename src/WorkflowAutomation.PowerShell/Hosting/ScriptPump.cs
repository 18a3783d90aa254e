using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// What the worker's pipeline script sees: the current task's script block (re-created from
/// its text in this runspace, as ForEach-Object -Parallel does, and cached), its input, and
/// the call that reports it. Public only so that the pipeline script can call it.
/// </summary>
public sealed class ScriptPump
{
    // Runs a task's block with its errors merged into its output, so they can be told apart.
    private const string RunnerScript = "param($__block, $__arguments) & $__block @__arguments 2>&1";

    private readonly ScriptTaskFeed feed;
    private readonly Dictionary<string, ScriptBlock> blocks = new(StringComparer.Ordinal);
    private ScriptBlock? runner;

    internal ScriptPump(ScriptTaskFeed feed)
    {
        this.feed = feed;
    }

    /// <summary>The folder the scripts start in.</summary>
    public string? WorkingDirectory => feed.WorkingDirectory;

    /// <summary>Waits for the next script task of this worker; false when there is none.</summary>
    public bool MoveNext() => feed.MoveNext();

    /// <summary>The current task's script block, bound to this runspace.</summary>
    private ScriptBlock Block
    {
        get
        {
            var text = feed.Text;
            if (!blocks.TryGetValue(text, out var block))
            {
                block = ScriptBlock.Create(text);
                blocks[text] = block;
            }
            return block;
        }
    }

    /// <summary>The current task's arguments.</summary>
    private object?[] Arguments => [.. feed.Arguments];

    /// <summary>The current task's first argument, its <c>$_</c>.</summary>
    private object? Input => feed.Input;

    /// <summary>
    /// Runs the current task on this thread and reports it: what it wrote, its errors, what
    /// it threw, or the code it passed to <c>exit</c> (which ends the task, not the worker).
    /// </summary>
    public void RunCurrent()
    {
        runner ??= ScriptBlock.Create(RunnerScript);
        try
        {
            var output = runner.InvokeWithContext(null, [new PSVariable("_", Input)], Block, Arguments);
            Complete(output.Cast<object?>().ToArray(), null);
        }
        catch (ExitException exit)
        {
            var code = LanguagePrimitives.ConvertTo<int>(exit.Argument ?? 0);
            feed.Complete([], code == 0 ? null : $"The script block called exit {code}.");
        }
        catch (RuntimeException failure) when (failure is not PipelineStoppedException)
        {
            Complete(null, (object?)failure.ErrorRecord ?? failure.Message);
        }
    }

    /// <summary>Reports the current task from what the script wrote (errors merged in) and what it threw.</summary>
    private void Complete(object? output, object? failure)
    {
        var objects = new List<object?>();
        var errors = new List<string>();
        foreach (var item in Items(output))
        {
            if ((item is PSObject wrapped ? wrapped.BaseObject : item) is ErrorRecord record)
            {
                errors.Add(record.ToString());
            }
            else
            {
                objects.Add(item);
            }
        }
        if (failure is not null)
        {
            var record = (failure is PSObject wrapped ? wrapped.BaseObject : failure) as ErrorRecord;
            errors.Add(record?.ToString() ?? failure.ToString() ?? "The script failed.");
        }
        feed.Complete(objects, errors.Count == 0 ? null : string.Join(Environment.NewLine, errors));
    }

    private static IEnumerable<object?> Items(object? output)
    {
        var value = output is PSObject { BaseObject: object[] } wrapped ? wrapped.BaseObject : output;
        if (value is null)
        {
            yield break;
        }
        if (value is object[] array)
        {
            foreach (var item in array)
            {
                yield return item;
            }
            yield break;
        }
        yield return value;
    }
}
