using System.IO.Pipes;
using System.Net.Sockets;
using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// A cmdlet's connection to the daemon of a state directory. Errors the daemon reports come
/// back as <see cref="WorkflowAutomationException"/> with the daemon's ErrorId.
/// </summary>
public sealed partial class DaemonClient : IDisposable
{
    private readonly Stream stream;
    private readonly SemaphoreSlim gate = new(1, 1);

    private readonly string? token;

    private DaemonClient(Stream stream, StateDirectory state)
    {
        this.stream = stream;
        State = state;
        token = ReadToken(new DaemonPaths(state));
    }

    public StateDirectory State { get; }

    /// <summary>Connects, or throws <see cref="DaemonNotRunningException"/> naming how to start one.</summary>
    public static DaemonClient Connect(StateDirectory state, TimeSpan? timeout = null)
    {
        var paths = new DaemonPaths(state);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                var pipe = new NamedPipeClientStream(".", paths.PipeName, PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
                pipe.Connect((int)(timeout ?? TimeSpan.FromSeconds(2)).TotalMilliseconds);
                return new DaemonClient(pipe, state);
            }
            if (!File.Exists(paths.Socket))
            {
                throw new DaemonNotRunningException(state.Root);
            }
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(IpcEndpoint.Create(paths.Socket));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new DaemonClient(new NetworkStream(socket, ownsSocket: true), state);
        }
        catch (Exception exception) when (exception is SocketException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            throw new DaemonNotRunningException(state.Root, exception);
        }
    }

    /// <summary>Connects if a daemon answers; null otherwise.</summary>
    public static DaemonClient? TryConnect(StateDirectory state)
    {
        try
        {
            return Connect(state, TimeSpan.FromMilliseconds(500));
        }
        catch (DaemonNotRunningException)
        {
            return null;
        }
    }

    /// <summary>Sends one request and returns the daemon's result.</summary>
    public async Task<T?> SendAsync<T>(string op, object? body = null, CancellationToken cancellation = default)
    {
        await gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var frame = Frame(op, body);
            IpcResponse? response;
            try
            {
                await stream.WriteAsync(frame, cancellation).ConfigureAwait(false);
                await stream.FlushAsync(cancellation).ConfigureAwait(false);
                response = await IpcFraming.ReadAsync<IpcResponse>(stream, cancellation).ConfigureAwait(false);
            }
            catch (IOException exception)
            {
                // A daemon that refuses a connection (busy) answers why before it closes.
                response = await TryReadRefusalAsync().ConfigureAwait(false) ?? throw new DaemonNotRunningException(State.Root, exception);
            }
            var answer = Unwrap<T>(response);
            return answer.Error is { } error ? throw error : answer.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The result of an answer; a daemon-reported error as the exception to throw, carrying the daemon's ErrorId.</summary>
    private DaemonAnswer<T> Unwrap<T>(IpcResponse? response)
    {
        if (response is null)
        {
            Fail();
            throw new DaemonNotRunningException(State.Root);
        }
        if (!response.Ok)
        {
            var kind = Enum.TryParse<ErrorKind>(response.Kind, out var parsed) ? parsed : ErrorKind.NotSpecified;
            return new DaemonAnswer<T>(default, new WorkflowAutomationException(response.ErrorId ?? ErrorIds.DaemonRequestFailed, kind, response.Message ?? "The daemon reported an error."));
        }
        return new DaemonAnswer<T>(IpcJson.FromElement<T>(response.Body), null);
    }

    private async Task<IpcResponse?> TryReadRefusalAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            return await IpcFraming.ReadAsync<IpcResponse>(stream, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or DaemonProtocolException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>The daemon's token, sent with every request; null when it cannot be read (the daemon then refuses changes).</summary>
    private static string? ReadToken(DaemonPaths paths)
    {
        try
        {
            return DaemonToken.Read(paths);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The blocking form, for cmdlets: it reads and writes on the calling thread, so a request
    /// costs no hop through the thread pool (whose idle workers spin for more work each time).
    /// Cancelling closes the connection, which ends a read that waits.
    /// </summary>
    public T? Send<T>(string op, object? body = null, CancellationToken cancellation = default)
    {
        gate.Wait(cancellation);
        try
        {
            var frame = Frame(op, body);
            IpcResponse? response;
            using (cancellation.Register(static closing => ((Stream)closing!).Dispose(), stream))
            {
                try
                {
                    stream.Write(frame);
                    stream.Flush();
                    response = IpcFraming.Read<IpcResponse>(stream);
                }
                catch (Exception) when (cancellation.IsCancellationRequested)
                {
                    Fail();
                    throw new OperationCanceledException(cancellation);
                }
                catch (IOException exception)
                {
                    Fail();
                    response = TryReadRefusalAsync().GetAwaiter().GetResult() ?? throw new DaemonNotRunningException(State.Root, exception);
                }
                catch
                {
                    Fail();
                    throw;
                }
            }
            var answer = Unwrap<T>(response);
            return answer.Error is { } error ? throw error : answer.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A request as sent; one too large is refused here, before anything is sent, rather than as a dropped connection.</summary>
    private byte[] Frame(string op, object? body) =>
        IpcFraming.Encode(new IpcRequest { Op = op, Body = body is null ? null : IpcJson.ToElement(body), Token = token }, $"The request '{op}'");

    public void Dispose()
    {
        stream.Dispose();
        gate.Dispose();
    }
}
