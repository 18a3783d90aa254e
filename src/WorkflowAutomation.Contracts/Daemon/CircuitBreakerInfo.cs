namespace WorkflowAutomation.Daemon;

/// <summary>The state of a circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Calls go through; consecutive failures are counted.</summary>
    Closed,
    /// <summary>Calls fail fast (status CircuitOpen) until the break duration has passed.</summary>
    Open,
    /// <summary>One trial call goes through: success closes the breaker, failure opens it again.</summary>
    HalfOpen,
}

/// <summary>What a breaker guards.</summary>
public enum CircuitBreakerKind
{
    /// <summary>A step command, whatever workflow runs it.</summary>
    Step,
    /// <summary>A whole workflow.</summary>
    Workflow,
}

/// <summary>A circuit breaker as Get-CircuitBreaker shows it.</summary>
public sealed class CircuitBreakerInfo
{
    /// <summary>"&lt;workflow&gt;/&lt;step&gt;" for a step, "workflow:&lt;name&gt;" for a whole workflow.</summary>
    public required string Name { get; init; }
    /// <summary>The command a step breaker guards, as it was when the step last failed; null for a workflow breaker.</summary>
    public string? Command { get; init; }
    public CircuitBreakerKind Kind { get; init; }
    public CircuitState State { get; init; }
    /// <summary>Failures in a row since the last success.</summary>
    public int Failures { get; init; }
    /// <summary>Failures in a row that open the breaker (CIRCUIT_BREAKER_THRESHOLD).</summary>
    public int Threshold { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }
    /// <summary>When an open breaker lets a trial call through.</summary>
    public DateTimeOffset? HalfOpenAt { get; init; }
    public DateTimeOffset? LastFailureAt { get; init; }
    public string? LastError { get; init; }

    public override string ToString() => $"{Name} {State}";
}
