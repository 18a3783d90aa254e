using System.Text;
using WorkflowAutomation.Processes;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Execution;

internal sealed partial class RunScope
{
    private sealed record AttemptResult(int ExitCode, bool TimedOut, bool Cancelled, string? Error, Dictionary<string, string> Outputs)
    {
        public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
    }

    private async Task RunStepAsync(WorkflowStep step, CancellationToken cancellationToken)
    {
        // Off the scheduler's thread at once: a step's set-up must not delay its siblings.
        await Task.Yield();
        var record = steps[step.Name];
        record.StartTime = options.Time.GetUtcNow();
        if (step.ApprovalRequired && !approved.Contains(step.Name) && !await ApproveAsync(step, record, cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        string command;
        Dictionary<string, string?> environment;
        try
        {
            var context = new StepContext(this, step, cancellationToken);
            environment = Environment(step, context);
            command = Expression.Interpolate(step.Command, context.WithEnvironment(environment));
        }
        catch (ExpressionException exception)
        {
            log.Write(step.Name, new OutputLine(OutputStream.Error, exception.Message));
            Finish(record, StepStatus.Failed, exception.Message);
            return;
        }
        if (options.StepGuard?.BeforeStep(run, step) is { } refusal)
        {
            log.Write(step.Name, new OutputLine(OutputStream.Error, refusal));
            Finish(record, StepStatus.CircuitOpen, refusal);
            return;
        }
        lock (gate)
        {
            record.Status = StepStatus.Running;
        }
        Save(record);

        // A resumed step numbers its attempts after the interrupted ones, which do not use up retries.
        var earlierAttempts = record.Attempts;
        AttemptResult last;
        try
        {
            last = await Retry.ExecuteAsync(
                RetryOptions.For(step),
                (number, token) => new ValueTask<AttemptResult>(AttemptAsync(step, record, earlierAttempts + number, command, environment, token)),
                result => !result.Succeeded && !result.Cancelled,
                attempt =>
                {
                    if (attempt.NextDelay is { } delay)
                    {
                        log.Write(step.Name, new OutputLine(OutputStream.Output, $"Attempt {attempt.Number} failed; retrying in {delay.TotalSeconds:0.###} s."));
                    }
                },
                options.Time,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting to retry.
            last = new AttemptResult(-1, false, true, "Cancelled.", []);
        }

        foreach (var (key, value) in last.Outputs)
        {
            record.Outputs[key] = value;
        }
        // A killed process has no exit code worth showing.
        record.ExitCode = last.Cancelled || last.TimedOut ? null : last.ExitCode;
        if (last.Succeeded)
        {
            Finish(record, StepStatus.Succeeded, null);
        }
        else
        {
            record.ContinuedOnError = step.ContinueOnError && !last.Cancelled;
            Finish(record, last.Cancelled ? CancelledStatus : last.TimedOut ? StepStatus.TimedOut : StepStatus.Failed,
                last.Cancelled && Interrupted ? "Interrupted: the daemon stopped; the step runs again when it starts." : last.Error);
        }
        options.StepGuard?.AfterStep(run, step, record);
    }

    /// <summary>A step stopped by the host is Interrupted (to be resumed), by the user Cancelled.</summary>
    private StepStatus CancelledStatus => Interrupted ? StepStatus.Interrupted : StepStatus.Cancelled;

    private async Task<bool> ApproveAsync(WorkflowStep step, WorkflowStepRun record, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            record.Status = StepStatus.WaitingForApproval;
            run.Status = RunStatus.WaitingForApproval;
        }
        Save(record);
        options.Store.UpdateRun(run);
        bool granted;
        string? refusal = null;
        try
        {
            granted = await options.Approvals.RequestAsync(run, step, cancellationToken).ConfigureAwait(false);
            if (!granted)
            {
                refusal = $"Step '{step.Name}' was not approved.";
                failureErrorId ??= ErrorIds.WorkflowApprovalDenied;
            }
        }
        catch (ApprovalRequiredException exception)
        {
            granted = false;
            refusal = exception.Message;
            failureErrorId ??= exception.ErrorId;
        }
        catch (OperationCanceledException) when (Interrupted)
        {
            // Still waiting: the resumed run asks again, and an answer given meanwhile is kept.
            return false;
        }
        catch (OperationCanceledException)
        {
            Finish(record, StepStatus.Cancelled, "Cancelled while waiting for approval.");
            return false;
        }
        lock (gate)
        {
            run.Status = RunStatus.Running;
        }
        options.Store.UpdateRun(run);
        if (!granted)
        {
            log.Write(step.Name, new OutputLine(OutputStream.Error, refusal!));
            Finish(record, StepStatus.Failed, refusal);
        }
        return granted;
    }

    private async Task<AttemptResult> AttemptAsync(WorkflowStep step, WorkflowStepRun record, int number, string command,
        Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var attempt = new WorkflowStepAttempt
        {
            RunId = run.Id,
            Step = step.Name,
            Number = number,
            Status = StepStatus.Running,
            StartTime = options.Time.GetUtcNow(),
        };
        lock (gate)
        {
            record.Attempts = number;
            record.AttemptHistory.Add(attempt);
        }
        options.Store.SaveAttempt(attempt);
        if (number > 1)
        {
            Save(record);
        }
        _ = workFolder.Value;
        var outputFile = AttemptOutputFile(options.ScratchRoot, run.Id, step.Name, number);
        // Not created here: the step creates it when it writes an output (inside a 0700 folder).
        var attemptEnvironment = new Dictionary<string, string?>(environment)
        {
            ["WORKFLOW_OUTPUT"] = outputFile,
            ["WORKFLOW_ATTEMPT"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var result = await ExecuteAsync(step.Name, step.Shell, command, attemptEnvironment, step, cancellationToken).ConfigureAwait(false);
        var outputs = StepOutputFile.Read(outputFile);
        attempt.Status = result.Cancelled ? CancelledStatus : result.TimedOut ? StepStatus.TimedOut : result.Succeeded ? StepStatus.Succeeded : StepStatus.Failed;
        attempt.ExitCode = result.Cancelled || result.TimedOut ? null : result.ExitCode;
        attempt.Error = secrets.Apply(result.Error);
        attempt.EndTime = options.Time.GetUtcNow();
        options.Store.SaveAttempt(attempt);
        return result with { Outputs = outputs };
    }

    /// <summary>Runs a command text in its shell: pwsh through the script host, the rest as processes.</summary>
    private async Task<AttemptResult> ExecuteAsync(string logName, StepShell shell, string command, Dictionary<string, string?> environment,
        WorkflowStep step, CancellationToken cancellationToken)
    {
        void Sink(OutputLine line) => log.Write(logName, line);
        var directory = WorkingDirectory(step);
        try
        {
            if (StepIsolation.Applies(step, definition))
            {
                var (isolated, explanation) = await StepIsolation.RunAsync(step, definition, shell, command, environment, directory, Sink, cancellationToken).ConfigureAwait(false);
                return new AttemptResult(isolated.ExitCode, isolated.TimedOut, isolated.Cancelled,
                    explanation ?? Describe(isolated.ExitCode, isolated.TimedOut, isolated.Cancelled, step, null), []);
            }
            if (shell == StepShell.Pwsh)
            {
                var script = await options.ScriptHost.InvokeAsync(new ScriptRequest
                {
                    Script = command,
                    Environment = environment,
                    WorkingDirectory = directory,
                    Timeout = step.Timeout,
                    ScratchFolder = options.ScratchRoot,
                    MaxLineLength = options.MaxLogLineLength,
                }, Sink, cancellationToken).ConfigureAwait(false);
                return new AttemptResult(script.ExitCode, script.TimedOut, script.Cancelled, Describe(script.ExitCode, script.TimedOut, script.Cancelled, step, script.Error), []);
            }
            var (file, arguments) = ShellCommand.For(shell, command);
            var process = await ProcessRunner.RunAsync(new ProcessRequest
            {
                FileName = file,
                Arguments = arguments,
                Environment = environment,
                WorkingDirectory = directory,
                Timeout = step.Timeout,
                MaxLineLength = options.MaxLogLineLength,
            }, Sink, cancellationToken).ConfigureAwait(false);
            return new AttemptResult(process.ExitCode, process.TimedOut, process.Cancelled, Describe(process.ExitCode, process.TimedOut, process.Cancelled, step, null), []);
        }
        catch (ProcessStartException exception)
        {
            Sink(new OutputLine(OutputStream.Error, exception.Message));
            return new AttemptResult(127, false, false, exception.Message, []);
        }
        catch (Hermetic.HermeticException exception)
        {
            // The step's environment could not be restored: the step fails, saying why.
            Sink(new OutputLine(OutputStream.Error, exception.Message));
            return new AttemptResult(1, false, false, exception.Message, []);
        }
    }

    private static string? Describe(int exitCode, bool timedOut, bool cancelled, WorkflowStep step, string? error) =>
        timedOut ? $"Ran past its timeout of {step.Timeout!.Value.TotalSeconds:0.###} s; its process tree was killed."
        : cancelled ? "Cancelled; its process tree was killed."
        : exitCode != 0 ? error ?? $"Exited with code {exitCode}."
        : null;

    private string WorkingDirectory(WorkflowStep step) => RunFolder.OfStep(definition, step, request.WorkingDirectory);

    /// <summary>
    /// What a step sees as environment variables: the run's identity, inputs (INPUT_NAME),
    /// outputs of finished steps (STEPS_STEP_OUTPUTS_KEY), then the workflow's and the step's env.
    /// </summary>
    private Dictionary<string, string?> Environment(WorkflowStep step, StepContext context)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["WORKFLOW_NAME"] = definition.Name,
            ["WORKFLOW_RUN_ID"] = run.Id,
            ["WORKFLOW_STEP"] = step.Name,
        };
        foreach (var (name, value) in inputs)
        {
            environment[EnvironmentNames.Input(name)] = Expression.Format(value);
        }
        lock (gate)
        {
            foreach (var finished in steps.Values.Where(s => s.Outputs.Count > 0))
            {
                foreach (var (key, value) in finished.Outputs)
                {
                    environment[EnvironmentNames.StepOutput(finished.Name, key)] = value;
                }
            }
        }
        var workflowEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in definition.Env)
        {
            workflowEnvironment[name] = Expression.Interpolate(value, context.WithEnvironment(workflowEnvironment));
        }
        foreach (var (name, value) in step.Env)
        {
            workflowEnvironment[name] = Expression.Interpolate(value, context.WithEnvironment(workflowEnvironment));
        }
        foreach (var (name, value) in workflowEnvironment)
        {
            environment[name] = value;
        }
        foreach (var name in options.SecretEnvironmentVariables)
        {
            if (workflowEnvironment.TryGetValue(name, out var secret))
            {
                secrets.Add(secret);
            }
        }
        return environment;
    }

    /// <summary>Where an attempt writes its outputs ($env:WORKFLOW_OUTPUT); a resumed run reads it back.</summary>
    internal static string AttemptOutputFile(string scratchRoot, string runId, string step, int number) =>
        Path.Combine(ScratchFiles.RunFolder(scratchRoot, runId), $"{Sanitize(step)}-{number}.out");

    private static string Sanitize(string name) => EnvironmentNames.Sanitize(name);

    /// <summary>Runs the rollback of every succeeded step, the last to succeed first.</summary>
    private async Task RollbackAsync()
    {
        List<string> order;
        lock (gate)
        {
            order = succeededInOrder.AsEnumerable().Reverse().ToList();
        }
        var number = 0;
        foreach (var name in order)
        {
            var step = definition.FindStep(name);
            if (step?.Rollback is not { Length: > 0 } text)
            {
                continue;
            }
            var rollback = new WorkflowRollbackRun
            {
                RunId = run.Id,
                Step = name,
                Order = ++number,
                Status = StepStatus.Running,
                StartTime = options.Time.GetUtcNow(),
            };
            run.Rollbacks.Add(rollback);
            options.Store.SaveRollback(rollback);
            options.Observer.Message(run, $"Rolling back '{name}'.");
            try
            {
                // Never the run's token: a cancelled run must still undo what it did.
                var context = new StepContext(this, step, CancellationToken.None);
                var environment = Environment(step, context);
                environment["WORKFLOW_OUTPUT"] = Path.Combine(workFolder.Value, $"{Sanitize(name)}-rollback.out");
                var command = Expression.Interpolate(text, context.WithEnvironment(environment));
                var result = await ExecuteAsync("rollback:" + name, step.Shell, command, environment, step, CancellationToken.None).ConfigureAwait(false);
                rollback.Status = result.TimedOut ? StepStatus.TimedOut : result.Succeeded ? StepStatus.Succeeded : StepStatus.Failed;
                rollback.ExitCode = result.ExitCode;
                rollback.Error = secrets.Apply(result.Error);
            }
            catch (ExpressionException exception)
            {
                rollback.Status = StepStatus.Failed;
                rollback.Error = secrets.Apply(exception.Message);
            }
            rollback.EndTime = options.Time.GetUtcNow();
            options.Store.SaveRollback(rollback);
        }
    }
}
