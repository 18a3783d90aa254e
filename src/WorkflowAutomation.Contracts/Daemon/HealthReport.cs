namespace WorkflowAutomation.Daemon;

/// <summary>The outcome of one health check.</summary>
public sealed class HealthCheckResult
{
    public required string Name { get; init; }
    public HealthStatus Status { get; init; }
    public required string Description { get; init; }

    public static HealthCheckResult Healthy(string name, string description) => new() { Name = name, Status = HealthStatus.Healthy, Description = description };

    public static HealthCheckResult Degraded(string name, string description) => new() { Name = name, Status = HealthStatus.Degraded, Description = description };

    public static HealthCheckResult Unhealthy(string name, string description) => new() { Name = name, Status = HealthStatus.Unhealthy, Description = description };

    public override string ToString() => $"{Name}: {Status} ({Description})";
}

/// <summary>All checks of one round; the daemon is as healthy as its worst check.</summary>
public sealed class HealthReport
{
    public HealthReport(IReadOnlyList<HealthCheckResult> checks, DateTimeOffset checkedAt)
    {
        Checks = checks;
        CheckedAt = checkedAt;
        Status = checks.Count == 0 ? HealthStatus.Healthy : checks.Max(check => check.Status);
    }

    public HealthStatus Status { get; }
    public IReadOnlyList<HealthCheckResult> Checks { get; }
    public DateTimeOffset CheckedAt { get; }

    /// <summary>One line per check that is not Healthy.</summary>
    public IReadOnlyList<string> Reasons =>
        Checks.Where(check => check.Status != HealthStatus.Healthy).Select(check => $"{check.Name}: {check.Description}").ToList();
}
