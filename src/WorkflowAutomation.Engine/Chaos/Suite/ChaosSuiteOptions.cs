using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Chaos;

/// <summary>How the resilience suite runs: how to start this module's daemon, and the size of its faults.</summary>
public sealed class ChaosSuiteOptions
{
    /// <summary>The pwsh and module manifest the scratch daemon is started with.</summary>
    public required DaemonLaunchSettings Launch { get; init; }

    /// <summary>How long the CPU, memory and disk faults last. <value>The default value is 4 seconds.</value></summary>
    public TimeSpan FaultDuration { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How busy the CPU fault keeps every core, in percent. <value>The default value is 100.</value></summary>
    public int CpuPercent { get; init; } = 100;

    /// <summary>Megabytes the memory fault holds resident. <value>The default value is 256.</value></summary>
    public int MemoryMegaBytes { get; init; } = 256;

    /// <summary>Size of the scratch tmpfs the disk experiment fills. <value>The default value is 64 MB.</value></summary>
    public int ScratchMegaBytes { get; init; } = 64;

    /// <summary>The experiments to run, by key (kill, cpu, memory, disk, inbox, webhook). <value>The default value is null (all of them).</value></summary>
    public IReadOnlyList<string>? Experiments { get; init; }

    /// <summary>The longest wait for the daemon to come back or a run to end. <value>The default value is 60 seconds.</value></summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
