namespace WorkflowAutomation.Dashboard.Chaos;

/// <summary>One chaos experiment's outcome, as the Chaos page lists it.</summary>
public sealed class ChaosResultSummary
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public TimeSpan Duration { get; init; }
    public bool Passed { get; init; }
    public string? Summary { get; init; }
}

/// <summary>
/// Where the dashboard reads chaos results from. Chaos testing supplies an implementation
/// (through <see cref="DashboardOptions.ChaosResults"/>); until then the page lists nothing.
/// </summary>
public interface IChaosResultSource
{
    /// <summary>The newest results first, at most <paramref name="count"/>.</summary>
    IReadOnlyList<ChaosResultSummary> Recent(int count);
}

/// <summary>The source used while nothing records chaos results.</summary>
public sealed class NoChaosResults : IChaosResultSource
{
    public static readonly NoChaosResults Instance = new();

    public IReadOnlyList<ChaosResultSummary> Recent(int count) => [];
}
