using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Asked before every step and told after it: the daemon's circuit breakers make a step whose
/// command keeps failing fail fast with status CircuitOpen.
/// </summary>
public interface IStepGuard
{
    /// <summary>Null when the step may run; otherwise why it fails fast with CircuitOpen.</summary>
    string? BeforeStep(WorkflowRun run, WorkflowStep step);

    /// <summary>The step ended (any status) after <see cref="BeforeStep"/> let it run.</summary>
    void AfterStep(WorkflowRun run, WorkflowStep step, WorkflowStepRun result);
}
