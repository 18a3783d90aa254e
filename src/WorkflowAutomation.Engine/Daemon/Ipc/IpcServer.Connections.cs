using System.Threading.Channels;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// One connection's requests and answers. A reader takes requests as they arrive and starts
/// answering each at once; a writer sends the answers in request order. So a client that
/// pipelines (a piped Submit-Workflow) has many requests in the daemon together, where
/// submits share one commit, instead of paying a round trip each.
/// </summary>
public sealed partial class IpcServer
{
    /// <summary>Requests of one connection being answered at once; the reader waits beyond it.</summary>
    public const int MaxRequestsInFlight = 64;

    private async Task ServeAsync(IpcConnection connection)
    {
        var answers = Channel.CreateBounded<Task<IpcResponse>>(new BoundedChannelOptions(MaxRequestsInFlight) { SingleReader = true, SingleWriter = true });
        var writing = WriteAnswersAsync(connection, answers.Reader);
        try
        {
            await ReadRequestsAsync(connection, answers.Writer).ConfigureAwait(false);
        }
        finally
        {
            // Answers to what was read still go out (a client may close its sending side and read
            // them); a connection with none to send no longer counts against the limit.
            answers.Writer.TryComplete();
            if (connection.InFlight == 0)
            {
                connections.TryRemove(connection, out _);
            }
            await writing.ConfigureAwait(false);
            connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    private async Task ReadRequestsAsync(IpcConnection connection, ChannelWriter<Task<IpcResponse>> answers)
    {
        var header = new IpcFrameHeader();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var length = await ReadHeaderAsync(connection, header).ConfigureAwait(false);
                if (length is null)
                {
                    return;
                }
                connection.Touch();
                var answer = await ReceiveAndAnswerAsync(connection, length.Value).ConfigureAwait(false);
                await answers.WriteAsync(answer, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (DaemonRequestTooLargeException tooLarge)
        {
            // The rest of the message is never read, so the connection cannot go on: say why, then close.
            warnings.Warn("too-large", "A client sent a message over the size limit: " + tooLarge.Message);
            await FinalAnswerAsync(connection, answers, Failure(tooLarge.ErrorId, tooLarge.Kind, tooLarge.Message)).ConfigureAwait(false);
        }
        catch (PayloadBudgetException)
        {
            await FinalAnswerAsync(connection, answers, Busy()).ConfigureAwait(false);
        }
        catch (Exception) when (stopping.IsCancellationRequested || connection.Closing.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            // Idle past IdleTimeout, or too slow to send a request.
        }
        catch (DaemonProtocolException exception)
        {
            warnings.Warn("malformed", "A client sent a malformed message: " + exception.Message);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The client went away (Ctrl+C on a Wait-WorkflowRun): nothing more to read.
        }
        catch (Exception exception)
        {
            log.Error("A connection failed: " + exception);
        }
    }

    /// <summary>
    /// The next request's length, or null when the client closed between requests. A client
    /// silent for IdleTimeout is closed, unless it is waiting for answers still being worked on.
    /// </summary>
    private async Task<int?> ReadHeaderAsync(IpcConnection connection, IpcFrameHeader header)
    {
        while (true)
        {
            using var idle = new Deadline(options.IdleTimeout, options.Time, connection.Closing, stopping.Token);
            try
            {
                return await header.ReadAsync(connection.Stream, idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (idle.Expired && connection.InFlight > 0 && !header.Partial)
            {
                // Quiet because it waits for an answer (a Wait-WorkflowRun): not idle.
            }
        }
    }

    private async Task<Task<IpcResponse>> ReceiveAndAnswerAsync(IpcConnection connection, int length)
    {
        long reserved = 0;
        MemoryStream payload;
        try
        {
            using var transfer = new Deadline(options.TransferTimeout, options.Time, connection.Closing, stopping.Token);
            payload = await IpcFraming.ReadPayloadAsync(connection.Stream, length, count =>
            {
                Reserve(count);
                reserved += count;
                connection.Touch();
            }, transfer.Token).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Add(ref payloadBytes, -reserved);
            throw;
        }
        // Busy from here (never closed to make room) until answered; one that only declared a
        // large message and sends nothing is not. Started now, on this thread, so that requests
        // reach their handlers in the order they came.
        connection.Received();
        return AnswerAndReleaseAsync(payload, reserved);
    }

    private async Task<IpcResponse> AnswerAndReleaseAsync(MemoryStream payload, long reserved)
    {
        try
        {
            IpcRequest request;
            using (payload)
            {
                try
                {
                    request = IpcFraming.Deserialize<IpcRequest>(payload);
                }
                catch (DaemonProtocolException malformed)
                {
                    warnings.Warn("malformed", "A client sent a malformed message: " + malformed.Message);
                    return Failure(Common.ErrorIds.DaemonRequestInvalid, Common.ErrorKind.InvalidArgument, malformed.Message + " Each message is a JSON object with an 'Op'.");
                }
            }
            return await AnswerAsync(request).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref payloadBytes, -reserved);
        }
    }

    /// <summary>Sends the answers in request order as each is ready; a client that stops reading is closed.</summary>
    private async Task WriteAnswersAsync(IpcConnection connection, ChannelReader<Task<IpcResponse>> answers)
    {
        try
        {
            while (await answers.WaitToReadAsync().ConfigureAwait(false))
            {
                while (answers.TryRead(out var pending))
                {
                    var response = await pending.ConfigureAwait(false);
                    using (var transfer = new Deadline(options.TransferTimeout, options.Time, connection.Closing, stopping.Token))
                    {
                        await connection.Stream.WriteAsync(EncodeAnswer(response), transfer.Token).ConfigureAwait(false);
                        if (answers.Count == 0)
                        {
                            await connection.Stream.FlushAsync(transfer.Token).ConfigureAwait(false);
                        }
                    }
                    connection.Answered();
                    connection.Touch();
                    Interlocked.Increment(ref served);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The client went away or stopped taking answers: the reader ends with the connection.
            connection.Abort();
        }
        catch (Exception exception)
        {
            log.Error("A connection failed: " + exception);
            connection.Abort();
        }
    }

    /// <summary>An answer over the message limit is replaced by an error saying so, rather than a dropped connection.</summary>
    private static byte[] EncodeAnswer(IpcResponse response)
    {
        try
        {
            return IpcFraming.Encode(response, "The answer");
        }
        catch (DaemonRequestTooLargeException tooLarge)
        {
            return IpcFraming.Encode(Failure(tooLarge.ErrorId, tooLarge.Kind, tooLarge.Message), "The answer");
        }
    }

    /// <summary>The last answer of a connection that cannot go on; sent after the answers before it.</summary>
    private async Task FinalAnswerAsync(IpcConnection connection, ChannelWriter<Task<IpcResponse>> answers, IpcResponse response)
    {
        connection.Received();
        try
        {
            using var deadline = new Deadline(TimeSpan.FromSeconds(1), options.Time, connection.Closing, stopping.Token);
            await answers.WriteAsync(Task.FromResult(response), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client does not read its answers: the connection closes either way.
            connection.Answered();
        }
    }
}
