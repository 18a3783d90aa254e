using System.Collections.Concurrent;
using System.Text.Json;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// Accepts connections on the daemon's socket and answers each request with the handler
/// registered for its operation. A connection may carry any number of requests, and a client
/// may send the next before the previous is answered: answers come back in request order.
/// Bad input from a client gets an error answer or ends that connection, never the daemon;
/// <see cref="IpcServerOptions"/> bounds connections, time and memory; operations that change
/// state need the daemon's token.
/// </summary>
public sealed partial class IpcServer : IDisposable
{
    private const int MaxRefusalsInFlight = 16;

    private readonly Dictionary<string, (IpcAccess Access, Func<JsonElement?, CancellationToken, Task<object?>> Handler)> handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<IpcConnection, byte> connections = new();
    private readonly DaemonLog log;
    private readonly string token;
    private readonly IpcServerOptions options;
    private readonly CancellationTokenSource stopping = new();
    private readonly IpcListener listener;
    private readonly IpcWarnings warnings;
    private Task? acceptLoop;
    private long served;
    private long payloadBytes;
    private int refusalsInFlight;

    public IpcServer(DaemonPaths paths, DaemonLog log, string token, IpcServerOptions? options = null)
    {
        this.log = log;
        this.token = token;
        this.options = options ?? new IpcServerOptions();
        warnings = new IpcWarnings(log, this.options.Time);
        listener = IpcListener.Create(paths);
    }

    /// <summary>Requests answered so far (the health check watches it move).</summary>
    public long Served => Interlocked.Read(ref served);

    /// <summary>Connections open now; never more than <see cref="IpcServerOptions.MaxConnections"/>.</summary>
    public int OpenConnections => connections.Count;

    /// <summary>Bytes of requests being received now, across all connections.</summary>
    public long PayloadBytesInFlight => Interlocked.Read(ref payloadBytes);

    /// <summary>Registers what answers an operation; the handler's result is sent back as JSON.</summary>
    public void Handle(string op, IpcAccess access, Func<JsonElement?, CancellationToken, Task<object?>> handler) => handlers[op] = (access, handler);

    public void Handle<TBody>(string op, IpcAccess access, Func<TBody?, CancellationToken, Task<object?>> handler) =>
        handlers[op] = (access, (body, cancellation) => handler(IpcJson.FromElement<TBody>(body), cancellation));

    public void Start() => acceptLoop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Out of file descriptors, for one: wait rather than spin.
                warnings.Warn("accept", "Accepting a connection failed: " + exception.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            if (connections.Count >= options.MaxConnections && !EvictQuietest())
            {
                Refuse(stream);
                continue;
            }
            var connection = new IpcConnection(stream, options.Time);
            connections[connection] = 0;
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    /// <summary>Closes the connection that has been quiet longest and is not being answered.</summary>
    private bool EvictQuietest()
    {
        var quietest = connections.Keys.Where(connection => !connection.Busy).MinBy(connection => connection.LastActivity);
        if (quietest is null)
        {
            return false;
        }
        connections.TryRemove(quietest, out _);
        quietest.Abort();
        warnings.Warn("limit", $"The connection limit ({options.MaxConnections}) was reached: the quietest connections are closed to make room");
        return true;
    }

    /// <summary>Every connection is busy being answered: tell the newcomer so, instead of dropping it unexplained.</summary>
    private void Refuse(Stream stream)
    {
        if (Interlocked.Increment(ref refusalsInFlight) > MaxRefusalsInFlight)
        {
            Interlocked.Decrement(ref refusalsInFlight);
            stream.Dispose();
            return;
        }
        warnings.Warn("busy", $"All {options.MaxConnections} connections are busy answering requests: new connections are refused");
        _ = Task.Run(async () =>
        {
            try
            {
                using var deadline = new Deadline(TimeSpan.FromSeconds(1), options.Time, stopping.Token);
                await stream.WriteAsync(IpcFraming.Encode(Busy(), "The answer"), deadline.Token).ConfigureAwait(false);
                // Linger until the client has read it (it closes) or a second has passed.
                await stream.ReadAsync(new byte[1], deadline.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Whatever the client did, the refusal is over.
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                Interlocked.Decrement(ref refusalsInFlight);
            }
        });
    }

    private void Reserve(int count)
    {
        if (Interlocked.Add(ref payloadBytes, count) > options.PayloadBudgetBytes)
        {
            Interlocked.Add(ref payloadBytes, -count);
            warnings.Warn("budget", $"Requests being received passed {options.PayloadBudgetBytes / (1024 * 1024)} MiB at once: a connection was refused");
            throw new PayloadBudgetException();
        }
    }

    private async Task<IpcResponse> AnswerAsync(IpcRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Op))
        {
            return Failure(ErrorIds.DaemonRequestInvalid, ErrorKind.InvalidArgument, "The request names no operation ('Op'). The module and the daemon may be different versions: restart the daemon with Restart-WorkflowDaemon.");
        }
        if (!handlers.TryGetValue(request.Op, out var registered))
        {
            return Failure(ErrorIds.DaemonUnknownOperation, ErrorKind.InvalidOperation,
                $"The daemon does not know the operation '{request.Op}'. The module and the daemon may be different versions: restart the daemon with Restart-WorkflowDaemon.");
        }
        if (registered.Access == IpcAccess.ChangesState && Refusal(request) is { } refused)
        {
            return refused;
        }
        try
        {
            var result = await registered.Handler(request.Body, stopping.Token).ConfigureAwait(false);
            return new IpcResponse { Ok = true, Body = result is null ? null : IpcJson.ToElement(result) };
        }
        catch (WorkflowAutomationException known)
        {
            return Failure(known.ErrorId, known.Kind, known.Message);
        }
        catch (JsonException exception)
        {
            return Failure(ErrorIds.DaemonRequestInvalid, ErrorKind.InvalidArgument, $"The request for '{request.Op}' was not understood: {exception.Message}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            log.Error($"Operation '{request.Op}' failed: {exception}");
            return Failure(ErrorIds.DaemonRequestFailed, ErrorKind.NotSpecified, $"The daemon could not complete '{request.Op}': {exception.Message}");
        }
    }

    /// <summary>Null when the request carries the daemon's token; otherwise the refusal to send back.</summary>
    private IpcResponse? Refusal(IpcRequest request)
    {
        if (string.IsNullOrEmpty(request.Token))
        {
            warnings.Warn("token", $"A request for '{request.Op}' without the daemon's token was refused");
            return Failure(ErrorIds.DaemonTokenRequired, ErrorKind.PermissionDenied,
                $"The daemon refuses '{request.Op}': it changes state and the request carries no token. Use the WorkflowAutomation cmdlets, " +
                "which read the token from the daemon folder of the state directory (only its owner can read it).");
        }
        if (!DaemonToken.Matches(token, request.Token))
        {
            warnings.Warn("token", $"A request for '{request.Op}' with a wrong token was refused");
            return Failure(ErrorIds.DaemonTokenInvalid, ErrorKind.PermissionDenied,
                $"The daemon refuses '{request.Op}': the token does not match the daemon's. If the token file was replaced while the daemon ran, restart it with Restart-WorkflowDaemon.");
        }
        return null;
    }

    private IpcResponse Busy() =>
        Failure(ErrorIds.DaemonBusy, ErrorKind.ResourceUnavailable,
            $"The daemon is busy: its {options.MaxConnections} connections are all being answered, or too much is being received at once. Try again in a moment.");

    private static IpcResponse Failure(string errorId, ErrorKind kind, string message) =>
        new() { Ok = false, ErrorId = errorId, Kind = kind.ToString(), Message = message };

    public void Dispose()
    {
        stopping.Cancel();
        listener.Dispose();
        try
        {
            acceptLoop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        foreach (var connection in connections.Keys)
        {
            connection.Abort();
        }
        stopping.Dispose();
    }

    private sealed class PayloadBudgetException : Exception;
}

/// <summary>
/// Warnings about misbehaving clients, at most one line per kind every ten seconds with a
/// count of what was left out: a flood of bad connections must not become a flood of log lines.
/// </summary>
internal sealed class IpcWarnings(DaemonLog log, TimeProvider time)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, (DateTimeOffset Last, int Suppressed)> seen = [];

    public void Warn(string kind, string message)
    {
        var now = time.GetUtcNow();
        int suppressed;
        lock (seen)
        {
            if (seen.TryGetValue(kind, out var entry) && now - entry.Last < Quiet)
            {
                seen[kind] = (entry.Last, entry.Suppressed + 1);
                return;
            }
            suppressed = entry.Suppressed;
            seen[kind] = (now, 0);
        }
        log.Warn(suppressed == 0 ? message : $"{message} ({suppressed} more like it in the last {Quiet.TotalSeconds:0} s)");
    }
}
