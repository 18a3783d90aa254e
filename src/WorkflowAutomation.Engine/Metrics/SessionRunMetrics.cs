using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// A run that ended in a session (Invoke-Workflow) records how long it and its steps took, in
/// the same series the daemon's runs use, so the dashboard's Performance page shows every run.
/// Only the durations: the run counters count within the daemon's process (see
/// <see cref="ExecutionMetrics"/>), and a session's own count would reset them.
/// </summary>
public static class SessionRunMetrics
{
    /// <summary>Records the durations; returns why it could not, or null.</summary>
    public static string? Record(StateDirectory state, WorkflowConfiguration configuration, WorkflowRun run)
    {
        if (run.Status is not (RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled))
        {
            return null;
        }
        try
        {
            using var store = MetricStore.Open(state, configuration);
            var workflow = new Dictionary<string, string> { ["workflow"] = run.Name };
            store.Writer.Record(ExecutionMetrics.RunDuration, (run.Duration ?? TimeSpan.Zero).TotalSeconds, MetricType.Gauge, workflow);
            foreach (var step in run.Steps.Where(step => !step.Reused && step.Duration is not null))
            {
                store.Writer.Record(ExecutionMetrics.StepDuration, step.Duration!.Value.TotalSeconds, MetricType.Gauge,
                    new Dictionary<string, string> { ["workflow"] = run.Name, ["step"] = step.Name });
            }
            store.Writer.Flush();
            return null;
        }
        catch (Exception exception) when (exception is MetricException or IOException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
        {
            return $"The run's durations were not recorded in {state.MetricsDatabase}: {exception.Message}";
        }
    }
}
