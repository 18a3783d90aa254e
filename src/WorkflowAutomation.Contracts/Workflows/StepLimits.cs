namespace WorkflowAutomation.Workflows;

/// <summary>A step's resource limits (<c>limits: { memory_mb, cpu_percent }</c>), applied to its whole process tree.</summary>
public sealed class StepLimits
{
    /// <summary>Memory in MB; over it the step is stopped and reported as such.</summary>
    public int? MemoryMb { get; init; }
    /// <summary>CPU in percent of one core (200 is two cores).</summary>
    public int? CpuPercent { get; init; }
}
