namespace WorkflowAutomation.Workflows;

/// <summary>What the statuses mean, defined once for the engine, the cmdlets and the dashboard.</summary>
public static class StatusExtensions
{
    /// <summary>The step will not change again in this attempt of the run: it is neither pending, running nor waiting.</summary>
    public static bool HasEnded(this StepStatus status) =>
        status is not (StepStatus.Pending or StepStatus.Running or StepStatus.WaitingForApproval);

    /// <summary>
    /// The run has ended for good. An Interrupted run has not: the daemon resumes its runs,
    /// and the recovery step records a dead session's run as it finds it.
    /// </summary>
    public static bool HasEnded(this RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
}
