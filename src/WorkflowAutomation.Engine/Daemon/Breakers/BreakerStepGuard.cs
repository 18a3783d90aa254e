using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>Puts a circuit breaker in front of every step the daemon runs, one per workflow step ('&lt;workflow&gt;/&lt;step&gt;').</summary>
public sealed class BreakerStepGuard(CircuitBreakerRegistry breakers) : IStepGuard
{
    public string? BeforeStep(WorkflowRun run, WorkflowStep step)
    {
        var decision = breakers.TryAcquire(CircuitBreakerRegistry.StepName(run.Name, step.Name));
        return decision.Allowed ? null : decision.Reason;
    }

    public void AfterStep(WorkflowRun run, WorkflowStep step, WorkflowStepRun result)
    {
        var name = CircuitBreakerRegistry.StepName(run.Name, step.Name);
        switch (result.Status)
        {
            case StepStatus.Succeeded:
                breakers.RecordSuccess(name);
                break;
            case StepStatus.Failed or StepStatus.TimedOut:
                breakers.RecordFailure(name, CircuitBreakerKind.Step, result.Error, step.Command.Trim());
                break;
            default:
                breakers.Release(name);
                break;
        }
    }
}
