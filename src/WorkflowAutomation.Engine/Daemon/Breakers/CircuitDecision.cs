namespace WorkflowAutomation.Daemon;

/// <summary>What a breaker says about a call about to be made.</summary>
public readonly record struct CircuitDecision(bool Allowed, CircuitState State, string? Reason)
{
    public static CircuitDecision Allow(CircuitState state) => new(true, state, null);
}
