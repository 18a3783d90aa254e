namespace WorkflowAutomation.Chaos;

/// <summary>What one kind of fault needs on this machine, what is missing, and whether the configuration allows it (the seed's validate).</summary>
public sealed class ChaosReadiness
{
    public required string Fault { get; init; }
    /// <summary>CHAOS_ENABLED is true.</summary>
    public bool Allowed { get; init; }
    /// <summary>Everything the fault needs is here.</summary>
    public bool Available { get; init; }
    /// <summary>Allowed and available: the fault would run.</summary>
    public bool Ready => Allowed && Available;
    public required string Needs { get; init; }
    /// <summary>What is missing and how to get it; empty when nothing is.</summary>
    public string Missing { get; init; } = string.Empty;
}
