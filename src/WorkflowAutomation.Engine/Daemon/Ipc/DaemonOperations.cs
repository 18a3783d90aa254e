namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>The operation names of the daemon's protocol.</summary>
public static class DaemonOperations
{
    public const string Ping = "ping";
    public const string Status = "status";
    public const string Stop = "stop";
}

/// <summary>Arguments of <see cref="DaemonOperations.Stop"/>.</summary>
public sealed class StopRequest
{
    /// <summary>How long running steps may go on before they are interrupted.</summary>
    public double GraceSeconds { get; init; }
}
