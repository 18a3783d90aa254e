using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>Puts a circuit breaker in front of every step command the daemon runs.</summary>
public sealed class BreakerStepGuard(CircuitBreakerRegistry breakers) : IStepGuard
{
    public string? BeforeStep(WorkflowRun run, WorkflowStep step)
    {
        var decision = breakers.TryAcquire(CircuitBreakerRegistry.StepName(step.Command));
        return decision.Allowed ? null : decision.Reason;
    }

    public void AfterStep(WorkflowRun run, WorkflowStep step, WorkflowStepRun result)
    {
        var name = CircuitBreakerRegistry.StepName(step.Command);
        switch (result.Status)
        {
            case StepStatus.Succeeded:
                breakers.RecordSuccess(name);
                break;
            case StepStatus.Failed or StepStatus.TimedOut:
                breakers.RecordFailure(name, CircuitBreakerKind.Step, result.Error);
                break;
            default:
                breakers.Release(name);
                break;
        }
    }
}
