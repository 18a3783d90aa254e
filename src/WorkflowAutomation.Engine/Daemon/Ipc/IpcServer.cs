using System.Text.Json;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// Accepts connections on the daemon's socket and answers each request with the handler
/// registered for its operation. A connection may carry any number of requests in turn.
/// Bad input from a client ends that connection, never the daemon.
/// </summary>
public sealed class IpcServer : IDisposable
{
    private readonly Dictionary<string, Func<JsonElement?, CancellationToken, Task<object?>>> handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly DaemonLog log;
    private readonly CancellationTokenSource stopping = new();
    private readonly IpcListener listener;
    private Task? acceptLoop;
    private long served;

    public IpcServer(DaemonPaths paths, DaemonLog log)
    {
        this.log = log;
        listener = IpcListener.Create(paths);
    }

    /// <summary>Requests answered so far (the health check watches it move).</summary>
    public long Served => Interlocked.Read(ref served);

    /// <summary>Registers what answers an operation; the handler's result is sent back as JSON.</summary>
    public void Handle(string op, Func<JsonElement?, CancellationToken, Task<object?>> handler) => handlers[op] = handler;

    public void Handle<TBody>(string op, Func<TBody?, CancellationToken, Task<object?>> handler) =>
        handlers[op] = (body, cancellation) => handler(IpcJson.FromElement<TBody>(body), cancellation);

    public void Start() => acceptLoop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Stream connection;
            try
            {
                connection = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                log.Warn("Accepting a connection failed: " + exception.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Stream connection)
    {
        await using var _ = connection.ConfigureAwait(false);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var request = await IpcFraming.ReadAsync<IpcRequest>(connection, stopping.Token).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }
                var response = await AnswerAsync(request).ConfigureAwait(false);
                await IpcFraming.WriteAsync(connection, response, stopping.Token).ConfigureAwait(false);
                Interlocked.Increment(ref served);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
        catch (DaemonProtocolException exception)
        {
            log.Warn("A client sent a malformed message: " + exception.Message);
        }
        catch (IOException)
        {
            // The client went away (Ctrl+C on a Wait-WorkflowRun): nothing to answer.
        }
    }

    private async Task<IpcResponse> AnswerAsync(IpcRequest request)
    {
        if (!handlers.TryGetValue(request.Op, out var handler))
        {
            return Failure("DaemonUnknownOperation", ErrorKind.InvalidOperation,
                $"The daemon does not know the operation '{request.Op}'. The module and the daemon may be different versions: restart the daemon with Restart-WorkflowDaemon.");
        }
        try
        {
            var result = await handler(request.Body, stopping.Token).ConfigureAwait(false);
            return new IpcResponse { Ok = true, Body = result is null ? null : IpcJson.ToElement(result) };
        }
        catch (WorkflowAutomationException known)
        {
            return Failure(known.ErrorId, known.Kind, known.Message);
        }
        catch (JsonException exception)
        {
            return Failure("DaemonRequestInvalid", ErrorKind.InvalidArgument, $"The request for '{request.Op}' was not understood: {exception.Message}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            log.Error($"Operation '{request.Op}' failed: {exception}");
            return Failure("DaemonRequestFailed", ErrorKind.NotSpecified, $"The daemon could not complete '{request.Op}': {exception.Message}");
        }
    }

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
        stopping.Dispose();
    }
}
