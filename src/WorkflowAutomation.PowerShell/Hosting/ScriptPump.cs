using System.Management.Automation;
using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// Runs one worker's script tasks inside the worker's pipeline, one after another on its
/// thread: each task's script block (re-created in this runspace, as ForEach-Object -Parallel
/// does, and cached) is invoked directly with its input as <c>$_</c>, and what it wrote and
/// the errors it wrote are reported. Public only so that the pipeline script can call it.
/// </summary>
public sealed class ScriptPump
{
    private readonly ScriptTaskFeed feed;
    // Most batches run one script block object for every item: looked up by reference, then by text.
    private readonly Dictionary<object, ScriptBlock> bySource = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, ScriptBlock> byText = new(StringComparer.Ordinal);
    private object? lastSource;
    private ScriptBlock? lastBlock;

    internal ScriptPump(ScriptTaskFeed feed)
    {
        this.feed = feed;
    }

    /// <summary>
    /// Where the errors a task writes go: the worker's pipeline error stream, read after each
    /// task (a direct invocation writes its errors to the pipeline it runs in).
    /// </summary>
    internal PSDataCollection<ErrorRecord> Errors { get; } = new();

    /// <summary>Runs this worker's tasks until the batch has none left for it.</summary>
    public void RunAll()
    {
        while (feed.MoveNext())
        {
            RunCurrent();
        }
    }

    /// <summary>The current task's script block, bound to this runspace.</summary>
    private ScriptBlock Block()
    {
        var source = feed.Source;
        if (ReferenceEquals(source, lastSource) && lastBlock is not null)
        {
            return lastBlock;
        }
        if (source is null || !bySource.TryGetValue(source, out var block))
        {
            var text = feed.Text;
            if (!byText.TryGetValue(text, out block))
            {
                block = byText[text] = ScriptBlock.Create(text);
            }
            if (source is not null)
            {
                bySource[source] = block;
            }
        }
        (lastSource, lastBlock) = (source, block);
        return block;
    }

    /// <summary>
    /// Runs the current task on this thread and reports it: what it wrote, its errors, what
    /// it threw, or the code it passed to <c>exit</c> (which ends the task, not the worker).
    /// </summary>
    private void RunCurrent()
    {
        try
        {
            var arguments = feed.Arguments;
            var input = arguments.Count > 0 ? arguments[0] : null;
            // Invoked directly rather than through a pipeline: a task then costs a script block
            // call, as an item of ForEach-Object does, in a scope of its own.
            var output = Block().InvokeWithContext(null, [new PSVariable("_", input)], [.. arguments]);
            Complete(output, null);
        }
        catch (ExitException exit)
        {
            var code = LanguagePrimitives.ConvertTo<int>(exit.Argument ?? 0);
            Errors.Clear();
            feed.Complete([], code == 0 ? null : $"The script block called exit {code}.");
        }
        catch (RuntimeException failure) when (failure is not PipelineStoppedException)
        {
            Complete(null, (object?)failure.ErrorRecord ?? failure.Message);
        }
    }

    /// <summary>Reports the current task from what the script wrote, the errors it wrote and what it threw.</summary>
    private void Complete(IReadOnlyList<PSObject>? output, object? failure)
    {
        List<string>? errors = null;
        if (Errors.Count > 0)
        {
            errors = Errors.ReadAll().Select(record => record.ToString()).ToList();
        }
        if (failure is not null)
        {
            var record = (failure is PSObject wrapped ? wrapped.BaseObject : failure) as ErrorRecord;
            (errors ??= []).Add(record?.ToString() ?? failure.ToString() ?? "The script failed.");
        }
        feed.Complete(output is null ? [] : output, errors is null ? null : string.Join(Environment.NewLine, errors));
    }
}
