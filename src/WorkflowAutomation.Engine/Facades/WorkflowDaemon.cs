using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Facades;

/// <summary>
/// The daemon of the state directory as its clients see it: status, start, stop, submit and
/// approvals. The daemon cmdlets and the dashboard call this; nothing else opens its socket.
/// </summary>
public sealed class WorkflowDaemon(StateDirectory state, WorkflowConfiguration configuration)
{
    /// <summary>How long a detached daemon may take to answer after it was started.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public DaemonPaths Paths { get; } = new(state);

    /// <summary>The daemon's status; Stopped (or Starting while another process holds the lock) when none answers.</summary>
    public DaemonStatus Status(CancellationToken cancellation)
    {
        if (DaemonClient.TryConnect(state) is { } client)
        {
            using (client)
            {
                try
                {
                    return client.Send<DaemonStatus>(DaemonOperations.Status, null, cancellation)!;
                }
                catch (DaemonNotRunningException)
                {
                    // It went away between connecting and answering.
                }
            }
        }
        var held = InstanceLock.IsHeld(Paths);
        return new DaemonStatus
        {
            State = held ? DaemonState.Starting : DaemonState.Stopped,
            ProcessId = held ? DaemonPaths.ReadPid(Paths.PidFile) : null,
            StateDirectory = state.Root,
        };
    }

    /// <summary>True when a daemon answers or holds the instance lock.</summary>
    public bool IsRunning()
    {
        using var client = DaemonClient.TryConnect(state);
        return client is not null || InstanceLock.IsHeld(Paths);
    }

    /// <summary>Starts a detached daemon (and its supervisor when restarts are allowed); returns once it runs.</summary>
    public DaemonStatus StartDetached(DaemonLaunchSettings settings, CancellationToken cancellation)
    {
        DaemonLauncher.EnsureCanStart(Paths);
        DaemonStatus status;
        using (var process = DaemonLauncher.StartDaemon(Paths, settings))
        {
            status = DaemonLauncher.WaitUntilRunning(Paths, process, StartTimeout, cancellation);
        }
        if (configuration.AutoRestartMaxPerHour > 0)
        {
            DaemonLauncher.StartSupervisor(Paths, settings).Dispose();
        }
        return status;
    }

    /// <summary>Stops the daemon: running steps get the grace period, then are interrupted; with force, killed.</summary>
    public void Stop(TimeSpan grace, bool force, CancellationToken cancellation)
    {
        using var client = DaemonClient.TryConnect(state);
        DaemonLauncher.Stop(Paths, client, force ? TimeSpan.Zero : grace, force, cancellation);
    }

    /// <summary>Queues a workflow file on the daemon; the run comes back Queued. <paramref name="workingDirectory"/> (absolute) replaces the workflow's own folder.</summary>
    public WorkflowRun Submit(string file, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellation, string? workingDirectory = null)
    {
        using var client = DaemonClient.Connect(state);
        return client.Send<WorkflowRun>(DaemonOperations.Submit,
            new SubmitRequest { Path = file, Yaml = File.ReadAllText(file), Parameters = parameters.ToDictionary(), WorkingDirectory = workingDirectory }, cancellation)!;
    }

    /// <summary>Opens a pipelined submission of many files over one connection (a piped Submit-Workflow).</summary>
    public WorkflowSubmissions OpenSubmissions(CancellationToken cancellation) => new(state, cancellation);

    /// <summary>Answers an approval gate of a daemon run.</summary>
    public WorkflowStepRun Answer(AnswerRequest answer, CancellationToken cancellation)
    {
        using var client = DaemonClient.Connect(state);
        return client.Send<WorkflowStepRun>(DaemonOperations.Answer, answer, cancellation)!;
    }
}
