using WorkflowAutomation.Platform;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>What a workflow executor needs from its host.</summary>
public sealed class WorkflowExecutorOptions
{
    public required IRunStore Store { get; init; }
    /// <summary>Runs pwsh steps; the module passes one that reuses runspaces. <value>The default runs pwsh processes.</value></summary>
    public IScriptHost ScriptHost { get; init; } = new ProcessScriptHost();
    /// <summary>The clock of retry delays and recorded times. <value>The default is the system clock.</value></summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Answers approval gates not approved in advance. <value>The default refuses with a clear error.</value></summary>
    public IApprovalGate Approvals { get; init; } = NonInteractiveApprovalGate.Instance;
    public IRunObserver Observer { get; init; } = NullRunObserver.Instance;
    /// <summary>Sends the end-of-run notifications; none are sent when null.</summary>
    public IRunNotifier? Notifier { get; init; }
    /// <summary>Steps at once when neither -MaxParallel nor max_parallel says. <value>The default value is 32.</value></summary>
    public int DefaultMaxParallel { get; init; } = 32;
    /// <summary>Asked before each step (the daemon's circuit breakers); none when null.</summary>
    public IStepGuard? StepGuard { get; init; }
    /// <summary>Environment variables whose values are masked in logs, outputs and the run store (SECRET_ENV_VARS).</summary>
    public IReadOnlyList<string> SecretEnvironmentVariables { get; init; } = [];
    /// <summary>The longest step output line kept, in characters. <value>The default is 65,536.</value></summary>
    public int MaxLogLineLength { get; init; } = ProcessRunner.DefaultMaxLineLength;
    /// <summary>The output of one step kept in the log, in UTF-8 bytes. <value>The default is 16 MiB.</value></summary>
    public long MaxStepLogBytes { get; init; } = 16L * 1024 * 1024;
    /// <summary>Where steps' scratch files go. <value>The default is the state directory's scratch folder.</value></summary>
    public string? ScratchFolder { get; init; }

    internal string ScratchRoot => ScratchFolder ?? StateDirectory.Resolve().ScratchFolder;
}

/// <summary>
/// Runs a workflow definition: schedules its steps by mode, dependencies, conditions and
/// limits, retries and times them out, records everything in the run store as it goes,
/// rolls back on failure or cancellation, and notifies at the end.
/// </summary>
public sealed class WorkflowExecutor(WorkflowExecutorOptions options)
{
    /// <summary>Runs the workflow to its end and returns the recorded run (never throws for a failing step).</summary>
    /// <exception cref="WorkflowInputException">-Parameter values do not fit the inputs; nothing was run or recorded.</exception>
    public async Task<WorkflowRun> RunAsync(WorkflowDefinition definition, RunRequest request, CancellationToken cancellationToken)
    {
        var inputs = WorkflowInputs.Resolve(definition, request.Parameters);
        if (request.Resume && request.RunId is { } id && options.Store.GetRun(id) is { } recorded)
        {
            return await ExecuteAsync(definition, request, Continue(recorded, definition), inputs, cancellationToken).ConfigureAwait(false);
        }
        var run = new WorkflowRun
        {
            Id = request.RunId ?? NewRunId(options.Time),
            Name = definition.Name,
            Status = RunStatus.Running,
            StartTime = options.Time.GetUtcNow(),
            SourcePath = definition.SourcePath,
            Parameters = SecretMasker.RecordedParameters(definition,
                inputs.Where(pair => pair.Value is not null).Select(pair => KeyValuePair.Create(pair.Key, Expression.Format(pair.Value)))),
            Origin = request.Origin,
            RestartOf = request.RestartOf?.Id,
        };
        foreach (var step in definition.Steps)
        {
            run.Steps.Add(new WorkflowStepRun { RunId = run.Id, Name = step.Name, Status = StepStatus.Pending });
        }
        options.Store.CreateRun(run, definition, RunOwner.Current);
        foreach (var step in run.Steps)
        {
            options.Store.SaveStep(step);
        }
        return await ExecuteAsync(definition, request, run, inputs, cancellationToken).ConfigureAwait(false);
    }

    private async Task<WorkflowRun> ExecuteAsync(WorkflowDefinition definition, RunRequest request, WorkflowRun run,
        Dictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        // Interruption stops the run like a cancellation; the scope tells them apart.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.Interruption);
        var scope = new RunScope(options, definition, request, run, inputs);
        try
        {
            await scope.ExecuteAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            scope.Dispose();
        }
        return run;
    }

    /// <summary>
    /// Takes up a recorded run again: finished steps stay as they are; attempts left Running
    /// by a process that died become Interrupted; unfinished steps go back to Pending.
    /// </summary>
    private WorkflowRun Continue(WorkflowRun run, WorkflowDefinition definition)
    {
        var now = options.Time.GetUtcNow();
        run.Status = RunStatus.Running;
        run.StartTime ??= now;
        run.EndTime = null;
        run.Error = null;
        foreach (var step in definition.Steps.Where(step => run.Steps.All(recorded => recorded.Name != step.Name)))
        {
            run.Steps.Add(new WorkflowStepRun { RunId = run.Id, Name = step.Name, Status = StepStatus.Pending });
        }
        foreach (var step in run.Steps.Where(step => step.Status is StepStatus.Pending or StepStatus.Running or StepStatus.WaitingForApproval or StepStatus.Interrupted))
        {
            // The step's own count is saved lazily; the attempts recorded are the truth.
            step.Attempts = Math.Max(step.Attempts, step.AttemptHistory.Select(attempt => attempt.Number).DefaultIfEmpty(0).Max());
            if (step.AttemptHistory.LastOrDefault() is { Status: StepStatus.Succeeded } succeeded)
            {
                // Its last attempt was recorded as succeeded just before the process died: the
                // step finished and is not run again. Its outputs are read back from the attempt's file.
                AdoptSucceededAttempt(step, succeeded);
                continue;
            }
            foreach (var attempt in step.AttemptHistory.Where(attempt => attempt.Status == StepStatus.Running))
            {
                attempt.Status = StepStatus.Interrupted;
                attempt.EndTime = now;
                attempt.Error = "Interrupted: the process running it stopped.";
                options.Store.SaveAttempt(attempt);
            }
            if (step.Status is StepStatus.Running or StepStatus.Interrupted)
            {
                options.Store.AppendLog(new WorkflowRunLogLine
                {
                    RunId = run.Id,
                    Step = step.Name,
                    Timestamp = now,
                    IsError = true,
                    Text = $"Attempt {step.Attempts} was interrupted when the daemon stopped; the step runs again.",
                });
            }
            step.Status = StepStatus.Pending;
            step.Error = null;
            step.EndTime = null;
            options.Store.SaveStep(step);
        }
        options.Store.UpdateRun(run);
        return run;
    }

    private void AdoptSucceededAttempt(WorkflowStepRun step, WorkflowStepAttempt attempt)
    {
        step.Status = StepStatus.Succeeded;
        step.ExitCode = attempt.ExitCode;
        step.StartTime ??= attempt.StartTime;
        step.EndTime = attempt.EndTime ?? attempt.StartTime;
        step.Error = null;
        var outputs = RunScope.AttemptOutputFile(options.ScratchRoot, step.RunId, step.Name, attempt.Number);
        if (File.Exists(outputs))
        {
            foreach (var (key, value) in StepOutputFile.Read(outputs))
            {
                step.Outputs[key] = value;
            }
        }
        options.Store.SaveStep(step);
    }

    /// <summary>Sortable, short and unique: 20261127-101500-3fa9c1.</summary>
    public static string NewRunId(TimeProvider time) =>
        $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static readonly NullRunObserver Instance = new();
}
