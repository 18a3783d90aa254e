using WorkflowAutomation.State;
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
        var run = new WorkflowRun
        {
            Id = request.RunId ?? NewRunId(options.Time),
            Name = definition.Name,
            Status = RunStatus.Running,
            StartTime = options.Time.GetUtcNow(),
            SourcePath = definition.SourcePath,
            Parameters = inputs.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => Expression.Format(pair.Value), StringComparer.OrdinalIgnoreCase),
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
        var scope = new RunScope(options, definition, request, run, inputs);
        try
        {
            await scope.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scope.Dispose();
        }
        return run;
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
