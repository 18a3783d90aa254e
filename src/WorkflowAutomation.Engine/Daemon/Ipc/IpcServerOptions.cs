namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// The limits that keep clients from exhausting the daemon: connections, time and memory.
/// At the connection limit the longest-quiet connection that is not being answered is closed
/// to make room, so a new client (a cmdlet, the health check's ping) always gets through.
/// </summary>
public sealed class IpcServerOptions
{
    /// <summary>Connections held open at once. The default value is 64.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>How long a connection may wait before its next request. The default value is 60 seconds.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a request may take to arrive once its length is read, and an answer to be
    /// taken by the client. The default value is 30 seconds.
    /// </summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of requests being received at once, across all connections. The default value is 64 MiB.</summary>
    public long PayloadBudgetBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The clock the timeouts run on. The default value is the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
