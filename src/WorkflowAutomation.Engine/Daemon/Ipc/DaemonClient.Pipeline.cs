using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>A daemon's answer to one request: its result, or the error it reported (not thrown, so one bad item does not end a batch).</summary>
public readonly record struct DaemonAnswer<T>(T? Value, WorkflowAutomationException? Error);

/// <summary>
/// Pipelining: requests sent without waiting for their answers, which come back in the same
/// order. A piped Submit-Workflow sends every file this way over one connection, so the
/// daemon has them together (one commit for many) and no round trip is waited for per file.
/// Posting and receiving happen on the caller's thread; not to be mixed with <see cref="Send{T}"/>
/// while answers are outstanding.
/// </summary>
public sealed partial class DaemonClient
{
    private int outstanding;
    private string? lastRefusal;

    /// <summary>Requests sent with <see cref="Post"/> whose answers have not been received.</summary>
    public int Outstanding => outstanding;

    /// <summary>Sends a request without waiting for its answer.</summary>
    public void Post(string op, object? body, CancellationToken cancellation = default)
    {
        var frame = Frame(op, body);
        using (cancellation.Register(static closing => ((Stream)closing!).Dispose(), stream))
        {
            try
            {
                stream.Write(frame);
                stream.Flush();
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                Fail();
                throw new OperationCanceledException(cancellation);
            }
            catch (IOException exception)
            {
                Fail();
                throw Closed(exception);
            }
        }
        outstanding++;
    }

    /// <summary>
    /// True when an answer has begun to arrive, so that <see cref="Receive{T}"/> returns at
    /// once. Over a named pipe (Windows) it cannot be told and is always false.
    /// </summary>
    public bool AnswerReady => outstanding > 0 && stream is System.Net.Sockets.NetworkStream { DataAvailable: true };

    /// <summary>The answer to the oldest request sent with <see cref="Post"/> and not yet received; blocks until it comes.</summary>
    /// <exception cref="DaemonNotRunningException">The connection closed before the answer came.</exception>
    public DaemonAnswer<T> Receive<T>(CancellationToken cancellation = default)
    {
        if (outstanding == 0)
        {
            throw new InvalidOperationException("No request is waiting for an answer.");
        }
        IpcResponse? response;
        using (cancellation.Register(static closing => ((Stream)closing!).Dispose(), stream))
        {
            try
            {
                response = IpcFraming.Read<IpcResponse>(stream);
            }
            catch (Exception exception)
            {
                Fail();
                throw cancellation.IsCancellationRequested ? new OperationCanceledException(cancellation)
                    : exception is IOException ? Closed(exception)
                    : exception;
            }
        }
        if (response is null)
        {
            Fail();
            throw Closed(null);
        }
        outstanding--;
        Reused = false;
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
