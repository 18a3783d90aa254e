namespace WorkflowAutomation.Daemon;

/// <summary>A health check whose first round was started ahead (at start, beside other work); later rounds run it anew.</summary>
internal sealed class FirstResultAhead(IHealthCheck check, Task<HealthCheckResult> first) : IHealthCheck
{
    private int taken;

    public string Name => check.Name;

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation) =>
        Interlocked.Exchange(ref taken, 1) == 0 ? first : check.CheckAsync(cancellation);
}
