using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>A daemon's answer to one request: its result, or the error it reported (not thrown, so one bad item does not end a batch).</summary>
public readonly record struct DaemonAnswer<T>(T? Value, WorkflowAutomationException? Error);

/// <summary>
/// Pipelining: requests sent without waiting for their answers, which come back in the same
/// order. A piped Submit-Workflow sends every file this way over one connection, so the
/// daemon has them together (one commit for many) and no round trip is waited for per file.
/// Not to be mixed with <see cref="SendAsync{T}"/> while answers are outstanding.
/// </summary>
public sealed partial class DaemonClient
{
    private int outstanding;
    private string? lastRefusal;

    /// <summary>Requests sent with <see cref="Post"/> whose answers have not been received.</summary>
    public int Outstanding => Volatile.Read(ref outstanding);

    /// <summary>Sends a request without waiting for its answer.</summary>
    public void Post(string op, object? body, CancellationToken cancellation = default)
    {
        var frame = IpcFraming.Encode(new IpcRequest { Op = op, Body = body is null ? null : IpcJson.ToElement(body), Token = token },
            $"The request '{op}'");
        try
        {
            stream.Write(frame);
            stream.Flush();
        }
        catch (IOException exception)
        {
            throw Closed(exception);
        }
        Interlocked.Increment(ref outstanding);
    }

    /// <summary>The answer to the oldest request sent with <see cref="Post"/> and not yet received.</summary>
    /// <exception cref="DaemonNotRunningException">The connection closed before the answer came.</exception>
    public async Task<DaemonAnswer<T>> ReceiveAsync<T>(CancellationToken cancellation = default)
    {
        if (Outstanding == 0)
        {
            throw new InvalidOperationException("No request is waiting for an answer.");
        }
        IpcResponse? response;
        try
        {
            response = await IpcFraming.ReadAsync<IpcResponse>(stream, cancellation).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            throw Closed(exception);
        }
        if (response is null)
        {
            throw Closed(null);
        }
        Interlocked.Decrement(ref outstanding);
        var answer = Unwrap<T>(response);
        lastRefusal = answer.Error?.ErrorId == ErrorIds.DaemonBusy ? answer.Error.Message : null;
        return answer;
    }

    /// <summary>A busy daemon answers the first request with why and closes: the rest are refused for the same reason.</summary>
    private WorkflowAutomationException Closed(Exception? inner) =>
        lastRefusal is { } busy
            ? new WorkflowAutomationException(ErrorIds.DaemonBusy, ErrorKind.ResourceUnavailable, busy, inner)
            : new DaemonNotRunningException(State.Root, inner);
}
