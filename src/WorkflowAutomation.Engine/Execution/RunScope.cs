using WorkflowAutomation.Platform;
using WorkflowAutomation.Processes;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Execution;

/// <summary>One run in progress: the scheduler loop, step attempts, rollbacks and the record.</summary>
internal sealed partial class RunScope : IDisposable
{
    private readonly WorkflowExecutorOptions options;
    private readonly WorkflowDefinition definition;
    private readonly RunRequest request;
    private readonly WorkflowRun run;
    private readonly Dictionary<string, object?> inputs;
    private readonly Dictionary<string, WorkflowStepRun> steps;
    private readonly Dictionary<string, IReadOnlyList<string>> dependencies;
    private readonly Dictionary<string, HashSet<string>> ancestors;
    private readonly List<string> succeededInOrder = [];
    // Finished steps the scheduler has taken note of; only these unblock their dependants.
    private readonly HashSet<string> observed = new(StringComparer.Ordinal);
    private readonly HashSet<string> approved;
    private readonly object gate = new();
    private readonly Lazy<string> workFolder;
    private readonly SecretMasker secrets = new();
    private readonly RunLog log;
    private string? firstFailure;
    private string? failureErrorId;

    public RunScope(WorkflowExecutorOptions options, WorkflowDefinition definition, RunRequest request, WorkflowRun run, Dictionary<string, object?> inputs)
    {
        this.options = options;
        this.definition = definition;
        this.request = request;
        this.run = run;
        this.inputs = inputs;
        steps = run.Steps.ToDictionary(step => step.Name, StringComparer.Ordinal);
        dependencies = ExecutionPlan.Dependencies(definition);
        ancestors = ExecutionPlan.Ancestors(dependencies);
        approved = new HashSet<string>(request.Approved, StringComparer.OrdinalIgnoreCase);
        log = new RunLog(options, run, secrets);
        foreach (var (name, input) in definition.Inputs)
        {
            if (input.Secret && inputs.TryGetValue(name, out var value))
            {
                secrets.Add(Expression.Format(value));
            }
        }
        foreach (var name in options.SecretEnvironmentVariables)
        {
            secrets.Add(System.Environment.GetEnvironmentVariable(name));
        }
        workFolder = new Lazy<string>(() =>
        {
            OwnerOnly.CreateDirectory(options.ScratchRoot);
            return OwnerOnly.CreateDirectory(ScratchFiles.RunFolder(options.ScratchRoot, run.Id));
        });
    }

    private bool RunFailed => firstFailure is not null;

    /// <summary>The host is stopping (not cancelling): leave the run to be resumed.</summary>
    private bool Interrupted => request.Interruption.IsCancellationRequested;

    private int MaxParallel => Math.Max(1, request.MaxParallel ?? definition.MaxParallel ?? options.DefaultMaxParallel);

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var pending = new List<WorkflowStep>();
        AdoptFinishedSteps();
        foreach (var step in definition.Steps)
        {
            if (!steps[step.Name].Status.HasEnded() && !Reuse(step))
            {
                pending.Add(step);
            }
        }
        var running = new Dictionary<Task, WorkflowStep>();
        while (true)
        {
            bool progressed;
            do
            {
                progressed = false;
                foreach (var step in pending.ToList())
                {
                    if (Interrupted)
                    {
                        break;
                    }
                    if (!dependencies[step.Name].All(observed.Contains))
                    {
                        continue;
                    }
                    var skipReason = Decide(step, cancellationToken);
                    if (skipReason is not null)
                    {
                        Finish(steps[step.Name], skipReason.Value.Status, skipReason.Value.Reason);
                        Observe(steps[step.Name]);
                        pending.Remove(step);
                        progressed = true;
                        continue;
                    }
                    if (running.Count >= MaxParallel)
                    {
                        continue;
                    }
                    pending.Remove(step);
                    running.Add(RunStepAsync(step, cancellationToken), step);
                }
            }
            while (progressed);

            if (running.Count == 0)
            {
                break;
            }
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var finished = running[done];
            running.Remove(done);
            await done.ConfigureAwait(false);
            Observe(steps[finished.Name]);
        }
        // Interrupted: what did not start stays Pending, to run when the run is resumed.
        foreach (var step in Interrupted ? [] : pending)
        {
            Finish(steps[step.Name], StepStatus.Skipped, "Not run: its dependencies never finished.");
        }
        await EndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A resumed run: steps that finished before count as they ended (for conditions, failure and rollback order).</summary>
    private void AdoptFinishedSteps()
    {
        if (!request.Resume)
        {
            return;
        }
        lock (gate)
        {
            foreach (var step in run.Steps.Where(step => step.Status.HasEnded()).OrderBy(step => step.EndTime))
            {
                observed.Add(step.Name);
                if (step.Status == StepStatus.Succeeded)
                {
                    succeededInOrder.Add(step.Name);
                }
                if (IsFailure(step))
                {
                    firstFailure ??= step.Name;
                }
            }
        }
    }

    /// <summary>Restart-WorkflowRun -FromFailedStep: a step that succeeded before keeps its result and outputs.</summary>
    private bool Reuse(WorkflowStep step)
    {
        if (!request.ReuseSucceededSteps || request.RestartOf?.Steps.FirstOrDefault(s => s.Name == step.Name) is not { Status: StepStatus.Succeeded } previous)
        {
            return false;
        }
        var record = steps[step.Name];
        record.Status = StepStatus.Succeeded;
        record.Reused = true;
        record.ExitCode = previous.ExitCode;
        record.StartTime = previous.StartTime;
        record.EndTime = previous.EndTime;
        foreach (var (key, value) in previous.Outputs)
        {
            record.Outputs[key] = value;
        }
        lock (gate)
        {
            succeededInOrder.Add(step.Name);
            observed.Add(step.Name);
        }
        Save(record);
        return true;
    }

    /// <summary>Null when the step should start; otherwise the status it ends with and why.</summary>
    private (StepStatus Status, string Reason)? Decide(WorkflowStep step, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return (StepStatus.Skipped, "Not run: the run was cancelled.");
        }
        var condition = string.IsNullOrWhiteSpace(step.Condition) ? "success()" : step.Condition;
        if (definition.ExecutionMode != ExecutionMode.Conditional && RunFailed && !Expression.RunsAfterFailure(condition))
        {
            return (StepStatus.Skipped, $"Not run: step '{firstFailure}' failed.");
        }
        try
        {
            return Expression.IsTrue(condition, new StepContext(this, step, cancellationToken))
                ? null
                : (StepStatus.Skipped, $"Not run: its condition '{condition}' was false.");
        }
        catch (ExpressionException exception)
        {
            return (StepStatus.Failed, exception.Message);
        }
    }

    /// <summary>Whether a finished step counts as failed (for the run, failure() and rollback).</summary>
    private static bool IsFailure(WorkflowStepRun step) =>
        !step.ContinuedOnError && step.Status is StepStatus.Failed or StepStatus.TimedOut or StepStatus.Interrupted or StepStatus.CircuitOpen;

    private void Finish(WorkflowStepRun step, StepStatus status, string? error)
    {
        var now = options.Time.GetUtcNow();
        lock (gate)
        {
            step.Status = status;
            step.Error = error;
            step.StartTime ??= now;
            step.EndTime = now;
            if (status == StepStatus.Succeeded)
            {
                succeededInOrder.Add(step.Name);
            }
        }
        Save(step);
    }

    /// <summary>
    /// The scheduler takes note of a finished step. A failure stops new steps only from here:
    /// steps that were ready together all start, however fast one of them fails.
    /// </summary>
    private void Observe(WorkflowStepRun step)
    {
        lock (gate)
        {
            observed.Add(step.Name);
            if (IsFailure(step))
            {
                firstFailure ??= step.Name;
            }
        }
    }

    private void Save(WorkflowStepRun step)
    {
        if (!secrets.IsEmpty)
        {
            lock (gate)
            {
                step.Error = secrets.Apply(step.Error);
                foreach (var key in step.Outputs.Keys.ToList())
                {
                    step.Outputs[key] = secrets.Apply(step.Outputs[key])!;
                }
            }
        }
        options.Store.SaveStep(step);
        options.Observer.StepChanged(run, step);
    }

    private async Task EndAsync(CancellationToken cancellationToken)
    {
        if (Interrupted)
        {
            run.Status = RunStatus.Interrupted;
            run.Error = "The daemon stopped before the run finished; the run goes on when the daemon starts again.";
            run.EndTime = options.Time.GetUtcNow();
            options.Store.UpdateRun(run);
            RunFailureIds.Remember(run, ErrorIds.WorkflowRunInterrupted);
            return;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            run.Status = RunStatus.Cancelled;
            run.Error = "The run was cancelled; running steps were stopped.";
            failureErrorId = ErrorIds.WorkflowRunCancelled;
        }
        else if (RunFailed)
        {
            var failed = steps[firstFailure!];
            run.Status = RunStatus.Failed;
            // An approval refusal already names the step and what to do.
            run.Error = failureErrorId is ErrorIds.WorkflowApprovalRequired or ErrorIds.WorkflowApprovalDenied
                ? failed.Error
                : $"Step '{failed.Name}' {(failed.Status == StepStatus.TimedOut ? "timed out" : "failed")}: {failed.Error}";
        }
        else
        {
            run.Status = RunStatus.Succeeded;
        }
        options.Store.UpdateRun(run);
        if (run.Status is RunStatus.Failed or RunStatus.Cancelled)
        {
            await RollbackAsync().ConfigureAwait(false);
        }
        run.EndTime = options.Time.GetUtcNow();
        options.Store.UpdateRun(run);
        if (failureErrorId is not null)
        {
            RunFailureIds.Remember(run, failureErrorId);
        }
        if (options.Notifier is { } notifier && definition.Notifications is { } notifications
            && (notifications.Webhook is not null || notifications.Email is not null))
        {
            foreach (var line in await notifier.NotifyAsync(run, notifications, CancellationToken.None).ConfigureAwait(false))
            {
                log.Write(null, new OutputLine(OutputStream.Output, line));
                options.Observer.Message(run, line);
            }
        }
    }

    public void Dispose()
    {
        if (workFolder.IsValueCreated)
        {
            try
            {
                Directory.Delete(workFolder.Value, recursive: true);
            }
            catch (IOException)
            {
                // A killed step may still hold a file for a moment; the next start cleans it.
            }
        }
    }
}

/// <summary>The stable ErrorId a host should use for a run that did not succeed.</summary>
public static class RunFailureIds
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowRun, string> Ids = new();

    internal static void Remember(WorkflowRun run, string errorId) => Ids.AddOrUpdate(run, errorId);

    /// <summary>WorkflowApprovalRequired, WorkflowRunCancelled, WorkflowRunInterrupted or WorkflowRunFailed.</summary>
    public static string For(WorkflowRun run) =>
        Ids.TryGetValue(run, out var id) ? id
        : run.Status == RunStatus.Cancelled ? ErrorIds.WorkflowRunCancelled
        : run.Status == RunStatus.Interrupted ? ErrorIds.WorkflowRunInterrupted
        : ErrorIds.WorkflowRunFailed;
}
