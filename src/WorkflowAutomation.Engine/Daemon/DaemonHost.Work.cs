using WorkflowAutomation.Daemon.Ipc;

namespace WorkflowAutomation.Daemon;

/// <summary>The daemon's work: what runs between Starting and Stopping.</summary>
public sealed partial class DaemonHost
{
    private readonly record struct WorkCounts(int Queued, IReadOnlyList<string> Running, int WaitingForApproval, int OpenBreakers, int HalfOpenBreakers);

    private void StartWork()
    {
    }

    private Task StopWorkAsync(TimeSpan grace) => Task.CompletedTask;

    private Task DisposeWorkAsync() => Task.CompletedTask;

    private WorkCounts WorkSummary() => new(0, [], 0, 0, 0);

    private void RegisterWorkOperations(IpcServer server)
    {
    }

    private IEnumerable<IHealthCheck> WorkHealthChecks() => [];
}
