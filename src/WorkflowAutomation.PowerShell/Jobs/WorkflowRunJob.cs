using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// Invoke-Workflow -AsJob: the run goes on in the background; Receive-Job returns the
/// WorkflowRun (and its error when it failed), step output arrives on the information stream,
/// Stop-Job and Stop-WorkflowRun cancel it and return only once it has stopped and rolled back.
/// </summary>
internal sealed class WorkflowRunJob : LocalJob, IRunObserver
{
    private readonly WorkflowDefinition definition;
    private readonly RunRequest request;
    private readonly SqliteRunStore store;
    private readonly Func<IRunObserver, WorkflowExecutorOptions> options;
    private readonly CancellationTokenSource cancellation = new();
    private Task<WorkflowRun>? completion;

    private readonly Action<WorkflowRun>? finished;

    public WorkflowRunJob(WorkflowDefinition definition, RunRequest request, SqliteRunStore store,
        Func<IRunObserver, WorkflowExecutorOptions> options, string command, Action<WorkflowRun>? finished = null)
        : base(command, $"{definition.Name} {request.RunId}")
    {
        this.finished = finished;
        this.definition = definition;
        this.request = request;
        this.store = store;
        this.options = options;
        PSJobTypeName = "WorkflowRunJob";
    }

    /// <summary>The id of the run the job executes.</summary>
    public string RunId => request.RunId!;

    public override string StatusMessage => JobStateInfo.State.ToString();

    public void Start()
    {
        SetJobState(JobState.Running);
        var executor = new WorkflowExecutor(options(this));
        completion = Task.Run(() => executor.RunAsync(definition, request, cancellation.Token));
        ActiveRuns.Register(RunId, new ActiveRun(() =>
        {
            StopJob();
            return completion.GetAwaiter().GetResult();
        }, completion));
        completion.ContinueWith(Finish, TaskScheduler.Default);
    }

    private void Finish(Task<WorkflowRun> task)
    {
        ActiveRuns.Unregister(RunId);
        store.Dispose();
        if (task.IsFaulted)
        {
            var exception = task.Exception!.GetBaseException();
            Error.Add(ErrorRecords.From(exception, definition.Name));
            SetJobState(JobState.Failed);
            return;
        }
        var run = task.Result;
        finished?.Invoke(run);
        Output.Add(PSObject.AsPSObject(run));
        if (run.Status == RunStatus.Cancelled)
        {
            SetJobState(JobState.Stopped);
            return;
        }
        if (run.Status != RunStatus.Succeeded)
        {
            Error.Add(ErrorRecords.From(new WorkflowRunFailedException(run), run));
            SetJobState(JobState.Failed);
            return;
        }
        SetJobState(JobState.Completed);
    }

    void IRunObserver.Output(WorkflowRun run, string step, OutputLine line) =>
        Information.Add(new InformationRecord($"[{step}] {line.Text}", step));

    void IRunObserver.Message(WorkflowRun run, string text) => Verbose.Add(new VerboseRecord(text));

    void IRunObserver.StepChanged(WorkflowRun run, WorkflowStepRun step) =>
        Verbose.Add(new VerboseRecord($"Step '{step.Name}' {step.Status}"));

    /// <summary>Blocks until the run has stopped, rolled back and been recorded, so Stop-Job means stopped.</summary>
    /// <remarks>
    /// A plain Job rather than a Job2: Receive-Job -AutoRemoveJob and Remove-Job remove a Job2
    /// only through a registered job source adapter, and these jobs live in the session's job
    /// repository; Stop-Job calls this method directly for a plain Job.
    /// </remarks>
    public override void StopJob() => StopAndWait(completion, cancellation);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
            cancellation.Dispose();
        }
        base.Dispose(disposing);
    }
}
