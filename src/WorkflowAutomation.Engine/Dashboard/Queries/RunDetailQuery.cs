using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>A run's page: the run with its steps, attempts and rollbacks, and the graph of its definition.</summary>
public sealed class RunDetailQuery(IRunStore store, DaemonHost host)
{
    public object? Read(string runId)
    {
        var run = store.GetRun(runId);
        if (run is null)
        {
            return null;
        }
        var definition = store.GetDefinition(runId);
        var pending = host.Approvals.Pending().Where(approval => approval.RunId == runId).Select(approval => approval.Step).ToHashSet(StringComparer.Ordinal);
        return new
        {
            run.Id,
            run.Name,
            run.Status,
            run.StartTime,
            run.EndTime,
            DurationSeconds = run.Duration?.TotalSeconds,
            run.Error,
            run.Origin,
            run.SourcePath,
            run.RestartOf,
            run.Parameters,
            Steps = run.Steps.Select(step => new
            {
                step.Name,
                step.Status,
                step.Attempts,
                step.ExitCode,
                step.StartTime,
                step.EndTime,
                DurationSeconds = step.Duration?.TotalSeconds,
                step.Outputs,
                step.Error,
                step.ContinuedOnError,
                step.Reused,
                // Only a gate the daemon holds can be answered from here; a session's prompt cannot.
                Answerable = pending.Contains(step.Name),
                History = step.AttemptHistory.Select(attempt => new { attempt.Number, attempt.Status, attempt.ExitCode, attempt.StartTime, attempt.EndTime, attempt.Error }),
            }),
            Rollbacks = run.Rollbacks.Select(rollback => new { rollback.Order, rollback.Step, rollback.Status, rollback.ExitCode, rollback.StartTime, rollback.EndTime, rollback.Error }),
            Graph = definition is null ? null : Graph(definition),
        };
    }

    private static object Graph(WorkflowDefinition definition) => new
    {
        definition.ExecutionMode,
        definition.Description,
        Nodes = definition.Steps.Select(step => new
        {
            step.Name,
            step.Command,
            Shell = step.Shell,
            step.ApprovalRequired,
            step.Rollback,
            step.Condition,
            step.RetryCount,
            TimeoutSeconds = step.Timeout?.TotalSeconds,
        }),
        Edges = WorkflowGraph.Edges(definition).Select(edge => new[] { edge.From.Name, edge.To.Name }),
    };
}
