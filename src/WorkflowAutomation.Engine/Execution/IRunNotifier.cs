using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>Sends a run's end-of-run notifications (notifications: in the YAML).</summary>
public interface IRunNotifier
{
    /// <summary>Sends every notification; returns one line per notification saying how it went. Never throws.</summary>
    Task<IReadOnlyList<string>> NotifyAsync(WorkflowRun run, WorkflowNotifications notifications, CancellationToken cancellationToken);
}
