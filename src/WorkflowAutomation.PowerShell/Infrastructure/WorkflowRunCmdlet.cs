using System.Management.Automation.Host;
using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Jobs;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// What Invoke-Workflow and Restart-WorkflowRun share: running a definition in this session
/// with live output, progress, approval prompts and Ctrl+C, or as a job.
/// </summary>
public abstract class WorkflowRunCmdlet : WorkflowCmdlet
{
    private CancellationTokenSource? cancellation;

    /// <summary>Steps whose approval gate is answered in advance, for runs nobody watches.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Approve { get; set; } = [];

    /// <summary>Runs in the background as a job of this session (Get-Job, Receive-Job, Stop-Job, Stop-WorkflowRun).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Opens the run store for a new run, after recovering the runs of sessions that died.</summary>
    internal SqliteRunStore OpenStore() => new WorkflowRuns(State).OpenForNewRun();

    /// <summary>Runs a workflow and writes the run (and an error when it did not succeed), or starts a job.</summary>
    internal void RunWorkflow(WorkflowDefinition definition, RunRequest request, SqliteRunStore store)
    {
        var runId = request.RunId ?? WorkflowExecutor.NewRunId(TimeProvider.System);
        request = With(request, runId);
        if (AsJob)
        {
            // Nobody can answer a prompt in a job: gates need -Approve.
            var (state, configuration) = (State, Configuration);
            var job = new WorkflowRunJob(definition, request, store,
                observer => Options(store, observer, NonInteractiveApprovalGate.Instance), MyInvocation.Line,
                run => SessionRunMetrics.Record(state, configuration, run));
            JobRepository.Add(job);
            job.Start();
            WriteObject(job);
            return;
        }
        using (store)
        {
            var pump = new PipelinePump();
            var observer = new CmdletRunObserver(this, pump, definition.Steps.Count);
            // A console whose standard input is redirected (CI, scheduled tasks, pipes) cannot answer a prompt.
            var cannotAsk = Host.Name == "ConsoleHost" && Console.IsInputRedirected;
            IApprovalGate gate = cannotAsk ? NonInteractiveApprovalGate.Instance : new PromptApprovalGate(this, pump);
            var executor = new WorkflowExecutor(Options(store, observer, gate));
            cancellation = new CancellationTokenSource();
            var work = Task.Run(() => executor.RunAsync(definition, request, cancellation.Token));
            ActiveRuns.Register(runId, ActiveRun.ForTask(cancellation, work));
            WorkflowRun run;
            try
            {
                run = pump.Run(work);
            }
            finally
            {
                ActiveRuns.Unregister(runId);
            }
            observer.Complete(run);
            if (SessionRunMetrics.Record(State, Configuration, run) is { } notRecorded)
            {
                WriteWarning(notRecorded);
            }
            if (cancellation.IsCancellationRequested)
            {
                // Ctrl+C: the run is recorded as Cancelled; the pipeline is already stopping.
                throw new PipelineStoppedException();
            }
            WriteObject(run);
            if (run.Status != RunStatus.Succeeded)
            {
                WriteError(ErrorRecords.From(new WorkflowRunFailedException(run), run));
            }
        }
    }

    internal WorkflowExecutorOptions Options(IRunStore store, IRunObserver observer, IApprovalGate approvals) => new()
    {
        Store = store,
        ScriptHost = WorkflowSession.ScriptHost(PsHome),
        Approvals = approvals,
        Observer = observer,
        Notifier = new RunNotifier(SmtpSettings.FromConfiguration(Configuration)),
        SecretEnvironmentVariables = Configuration.SecretEnvVars,
        ScratchFolder = State.ScratchFolder,
    };

    private string PsHome => (string)SessionState.PSVariable.GetValue("PSHOME");

    private RunRequest With(RunRequest request, string runId) => new()
    {
        Parameters = request.Parameters,
        MaxParallel = request.MaxParallel,
        Approved = Approve.Concat(request.Approved).ToList(),
        WorkingDirectory = request.WorkingDirectory,
        Origin = request.Origin,
        RunId = runId,
        RestartOf = request.RestartOf,
        ReuseSucceededSteps = request.ReuseSucceededSteps,
    };

    protected override void StopProcessing()
    {
        base.StopProcessing();
        cancellation?.Cancel();
    }

    /// <summary>Asks at the console (ShouldContinue); a host that cannot ask makes the gate refuse with a clear error.</summary>
    private sealed class PromptApprovalGate(PSCmdlet cmdlet, PipelinePump pump) : IApprovalGate
    {
        public Task<bool> RequestAsync(WorkflowRun run, WorkflowStep step, CancellationToken cancellationToken) =>
            pump.Invoke(() =>
            {
                // A console whose input is redirected (a scheduled task, a CI job) has nobody to answer.
                if (cmdlet.Host.Name == "ConsoleHost" && Console.IsInputRedirected)
                {
                    throw new ApprovalRequiredException(step.Name);
                }
                try
                {
                    return cmdlet.ShouldContinue($"Run step '{step.Name}' of workflow '{run.Name}' (run {run.Id})?\n{step.Command}", "Approval required");
                }
                catch (Exception exception) when (exception is not PipelineStoppedException)
                {
                    // -NonInteractive, a host without a UI, or input that ended: nobody can answer.
                    throw new ApprovalRequiredException(step.Name);
                }
            });
    }
}

/// <summary>Shows a run in the console: step output prefixed by the step name, and progress.</summary>
internal sealed class CmdletRunObserver(Cmdlet cmdlet, PipelinePump pump, int total) : IRunObserver
{
    private int finished;

    public void Output(WorkflowRun run, string step, OutputLine line) =>
        pump.Post(() => cmdlet.WriteInformation(new HostInformationMessage
        {
            Message = $"[{step}] {line.Text}",
            NoNewLine = false,
            ForegroundColor = line.Stream == OutputStream.Error ? ConsoleColor.Red : null,
        }, ["PSHOST", "WorkflowOutput", step]));

    public void Message(WorkflowRun run, string text) => pump.Post(() => cmdlet.WriteVerbose(text));

    public void StepChanged(WorkflowRun run, WorkflowStepRun step)
    {
        var done = step.Status.HasEnded()
            ? Interlocked.Increment(ref finished)
            : Volatile.Read(ref finished);
        var status = $"{step.Name}: {step.Status} ({done} of {total} steps done)";
        pump.Post(() =>
        {
            cmdlet.WriteVerbose($"Step '{step.Name}' {step.Status}{(step.Error is null ? string.Empty : ": " + step.Error)}");
            cmdlet.WriteProgress(new ProgressRecord(1, $"Workflow {run.Name} ({run.Id})", status)
            {
                PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total),
            });
        });
    }

    public void Complete(WorkflowRun run)
    {
        try
        {
            cmdlet.WriteProgress(new ProgressRecord(1, $"Workflow {run.Name} ({run.Id})", run.Status.ToString()) { RecordType = ProgressRecordType.Completed });
        }
        catch (PipelineStoppedException)
        {
            // Stopping: nothing left to show.
        }
    }
}
