using System.Diagnostics;
using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Parallel;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Parallel;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Runs prioritised tasks (commands and script blocks) on a pool of workers and writes each result as it finishes.</summary>
/// <remarks>
/// Tasks come from batch files (-Path: one 'priority:command' a line, 1 first and 10 last,
/// '#' comments) or from the pipeline: batch-form strings, script blocks, New-ParallelTask
/// objects, and any object with Command (or ScriptBlock), Priority, Id and DependsOn
/// properties, so Import-Csv rows work. Such tasks are all read and checked first: a malformed
/// line, an unknown dependency or a cycle is reported and nothing runs.
///
/// Tasks start in priority order, first come first served within a priority, once the
/// tasks they depend on have succeeded; dependants of a failed task are reported Skipped.
/// Each of -ThrottleLimit workers has its own queue and takes work from the others when it
/// runs dry. Commands run through the platform shell as processes; script blocks run in
/// runspaces that are reused across tasks and batches. A task that fails or times out is
/// retried -RetryCount times with exponential backoff; on timeout, and on Ctrl+C, the
/// whole process tree of a running task is killed. -Summary adds one ParallelBatchSummary
/// after the results. -WhatIf checks the input and says what would run, running nothing.
///
/// With -ScriptBlock the cmdlet writes what the script block writes, like ForEach-Object
/// -Parallel, but in input order (the output of an item waits until the items before it
/// have finished); a failed item writes a ParallelTaskFailed error instead. -AsResult
/// writes the ParallelTaskResult objects instead, as tasks finish. The input streams
/// through in segments of 16,384 items, each started when it is full or the input ends, so
/// a million items take no more memory than a segment.
/// </remarks>
/// <example>
/// <code>Invoke-ParallelBatch -Path ./nightly.batch -ThrottleLimit 4 -TimeoutSeconds 600 -Summary</code>
/// <para>Runs a batch file on four workers, killing any task that runs longer than ten minutes, and ends with the counts and throughput.</para>
/// </example>
/// <example>
/// <code>Import-Csv tasks.csv | Invoke-ParallelBatch -RetryCount 2 | Where-Object Status -ne Succeeded</code>
/// <para>Runs tasks from a CSV file with Id, Priority, Command and DependsOn columns, retrying failures twice, and shows what did not succeed.</para>
/// </example>
/// <example>
/// <code>1..10 | Invoke-ParallelBatch -ScriptBlock { $_ * 2 }</code>
/// <para>Writes 2, 4, 6 … 20: with -ScriptBlock the script block's output is written, in input order, as ForEach-Object -Parallel users expect.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem *.log | Invoke-ParallelBatch -ScriptBlock { (Select-String -Path $_.FullName -Pattern ERROR).Count } -ThrottleLimit 4 -AsResult</code>
/// <para>Runs one script block per input object on reused runspaces and writes one ParallelTaskResult per object (status, duration, worker); each result's Output holds the count.</para>
/// </example>
/// <example>
/// <code>'1:make build', '2:make test', '2:make lint' | Invoke-ParallelBatch -FailFast</code>
/// <para>Runs the build first; if anything fails, no further task starts.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "ParallelBatch", DefaultParameterSetName = InputSet, SupportsShouldProcess = true)]
[OutputType(typeof(ParallelTaskResult), typeof(ParallelBatchSummary))]
[OutputType(typeof(object), ParameterSetName = [ScriptBlockSet])]
public sealed class InvokeParallelBatchCommand : WorkflowCmdlet, IDisposable
{
    private const string PathSet = "Path";
    private const string InputSet = "InputObject";
    private const string ScriptBlockSet = "ScriptBlock";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly TaskInput input = new();
    private readonly ProgressRecord progress = new(1, "Invoke-ParallelBatch", "starting");
    private ParallelTaskStream? stream;
    private InputOrderOutput? ordered;
    private SharedMetricStore.Lease? metrics;
    private Stopwatch? clock;
    private TimeSpan lastProgress;

    /// <summary>Batch files to run (wildcards allowed); their tasks run as one batch.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Tasks: 'priority:command' strings, script blocks, New-ParallelTask objects or objects with Command/ScriptBlock, Priority, Id and DependsOn.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = ScriptBlockSet)]
    [AllowNull]
    public object?[] InputObject { get; set; } = [];

    /// <summary>Runs this script block once for each input object, which it sees as $_ (and $args[0]), like ForEach-Object -Parallel.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Tasks running at once; MAX_PARALLEL_WORKERS from the configuration when not given.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; }

    /// <summary>Extra attempts for a task that fails or times out.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int RetryCount { get; set; }

    /// <summary>Seconds before the first retry, doubled for each further one; 1 when not given.</summary>
    [Parameter]
    [ValidateRange(0.0, 300.0)]
    public double RetryDelaySeconds { get; set; } = 1;

    /// <summary>Seconds an attempt may run before its whole process tree is killed and it is reported TimedOut.</summary>
    [Parameter]
    [ValidateRange(0.001, 604800.0)]
    public double TimeoutSeconds { get; set; }

    /// <summary>Starts no new task once a task has failed for good; the tasks not started are reported Skipped.</summary>
    [Parameter]
    public SwitchParameter FailFast { get; set; }

    /// <summary>Writes a ParallelBatchSummary (counts, tasks/s, pickup latency, CPU use, steals) after the results.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>With -ScriptBlock: writes one ParallelTaskResult per input object, as it finishes, instead of the script block's output in input order.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public SwitchParameter AsResult { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (var file in ResolveFiles(Path))
            {
                input.AddFile(file);
            }
            return;
        }
        foreach (var item in InputObject ?? [null])
        {
            if (ParameterSetName == ScriptBlockSet)
            {
                Stream().Add(new ParallelTask { ScriptBlock = ScriptBlock, ArgumentList = [item] }, Emit, Cancellation);
            }
            else
            {
                input.Add(item);
            }
        }
    }

    protected override void OnEnd()
    {
        if (ParameterSetName != ScriptBlockSet)
        {
            Run();
            return;
        }
        if (!MyInvocation.ExpectingInput && Stream().Count == 0)
        {
            Stream().Add(new ParallelTask { ScriptBlock = ScriptBlock }, Emit, Cancellation);
        }
        var summary = Stream().Complete(Emit, Cancellation);
        EndProgress();
        if (Summary && summary is not null)
        {
            WriteObject(summary);
        }
    }

    public void Dispose() => metrics?.Dispose();

    /// <summary>The state directory's metric store, for the dashboard's executor panel; a batch runs without it if it cannot be opened.</summary>
    /// <remarks>The store stays open between batches of the session: opening and closing metrics.db was a good part of a short batch.</remarks>
    private SharedMetricStore.Lease? OpenMetrics()
    {
        try
        {
            return new WorkflowMetrics(State, Configuration).LeaseStore();
        }
        catch (Exception exception)
        {
            // Metrics are a by-product: an unwritable or locked metrics.db must not stop the batch.
            WriteWarning($"Task metrics will not be recorded: {exception.Message}");
            return null;
        }
    }

    /// <summary>What -WhatIf shows: the batch, checked, in the order it would start.</summary>
    private static string Describe(ParallelBatchRunner runner)
    {
        var first = runner.Tasks.Where(t => t.DependsOn.Count == 0).OrderBy(t => t.Priority).Take(3).Select(t => $"'{t.Text}'");
        return $"{runner.Total} task(s) on {Math.Min(runner.Options.ThrottleLimit, runner.Total)} worker(s), starting with {string.Join(", ", first)}";
    }

    private ParallelBatchOptions Options() => new()
    {
        ThrottleLimit = ThrottleLimit > 0 ? ThrottleLimit : Configuration.MaxParallelWorkers,
        RetryCount = RetryCount,
        RetryDelay = TimeSpan.FromSeconds(RetryDelaySeconds),
        Timeout = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null,
        FailFast = FailFast,
        WorkingDirectory = RunspaceLocation.FolderOf(SessionState.Path.CurrentFileSystemLocation),
        ScriptHost = WorkerRunspaceHost.Shared,
        Metrics = (metrics ??= OpenMetrics()) is { } lease ? new ExecutionMetrics(lease.Store.Writer) : null,
    };

    /// <summary>
    /// With -ScriptBlock the input streams through in segments (<see cref="ParallelTaskStream"/>):
    /// tasks start as each segment fills, and memory stays bounded whatever the input's length.
    /// </summary>
    private ParallelTaskStream Stream() => stream ??= new ParallelTaskStream(Options())
    {
        Approve = (runner, inputEnded) => ShouldProcess(inputEnded ? Describe(runner) : $"{Describe(runner)}, then the rest of the input as it comes", "Run"),
    };

    /// <summary>Writes a -ScriptBlock result: its output in input order, or the result itself with -AsResult.</summary>
    private void Emit(ParallelTaskResult result)
    {
        if (AsResult)
        {
            WriteObject(result);
        }
        else
        {
            (ordered ??= new InputOrderOutput(this)).Add(result);
        }
        ShowProgress(stream!.Finished, null);
    }

    private void ShowProgress(long done, int? total)
    {
        clock ??= Stopwatch.StartNew();
        if (clock.Elapsed - lastProgress < ProgressInterval)
        {
            return;
        }
        lastProgress = clock.Elapsed;
        progress.StatusDescription = total is { } all
            ? $"{done} of {all} tasks, {done / clock.Elapsed.TotalSeconds:F0} tasks/s"
            : $"{done} tasks, {done / clock.Elapsed.TotalSeconds:F0} tasks/s";
        progress.PercentComplete = total is { } count ? (int)(100L * done / count) : -1;
        WriteProgress(progress);
    }

    private void EndProgress()
    {
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }

    private void Run()
    {
        input.ThrowIfInvalid();
        var runner = new ParallelBatchRunner(input.Tasks, Options());
        if (runner.Total == 0 || !ShouldProcess(Describe(runner), "Run"))
        {
            return;
        }
        var summary = runner.Run(result =>
        {
            WriteObject(result);
            ShowProgress(runner.Finished, runner.Total);
        }, Cancellation);
        EndProgress();
        if (Summary)
        {
            WriteObject(summary);
        }
    }
}
