using System.Globalization;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>A named probe of one thing the daemon depends on.</summary>
public interface IHealthCheck
{
    string Name { get; }

    Task<HealthCheckResult> CheckAsync(CancellationToken cancellation);
}
