using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// The wire format: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. A length
/// limit keeps a confused or hostile peer from making the daemon allocate without bound, and
/// payloads are read as they arrive, so a declared length costs nothing until it is sent.
/// </summary>
public static class IpcFraming
{
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private const int ChunkBytes = 64 * 1024;

    /// <summary>Serializes a message, refusing (with what to do) one the other end would not accept.</summary>
    public static byte[] Encode<T>(T message, string what)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, IpcJson.Options);
        if (payload.Length > MaxMessageBytes)
        {
            throw new DaemonRequestTooLargeException(what, payload.Length);
        }
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    public static async Task WriteAsync<T>(Stream stream, T message, CancellationToken cancellation)
    {
        var frame = Encode(message, "The message");
        await stream.WriteAsync(frame, cancellation).ConfigureAwait(false);
        await stream.FlushAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Reads one message; null when the peer closed the connection between messages.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, CancellationToken cancellation) where T : class
    {
        var length = await ReadHeaderAsync(stream, cancellation).ConfigureAwait(false);
        if (length is null)
        {
            return null;
        }
        using var payload = await ReadPayloadAsync(stream, length.Value, null, cancellation).ConfigureAwait(false);
        return Deserialize<T>(payload);
    }

    /// <summary>Reads one message on the calling thread, blocking; null when the peer closed the connection between messages.</summary>
    public static T? Read<T>(Stream stream) where T : class
    {
        Span<byte> header = stackalloc byte[4];
        var read = 0;
        while (read < header.Length)
        {
            var count = stream.Read(header[read..]);
            if (count == 0)
            {
                return read == 0 ? null : throw new DaemonProtocolException("The connection closed in the middle of a message.");
            }
            read += count;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > MaxMessageBytes)
        {
            throw new DaemonRequestTooLargeException("A message", length);
        }
        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            stream.ReadExactly(payload, 0, length);
            return Deserialize<T>(payload.AsSpan(0, length));
        }
        catch (EndOfStreamException exception)
        {
            throw new DaemonProtocolException("The connection closed in the middle of a message.", exception);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>Reads a frame's length; null when the peer closed the connection before one.</summary>
    public static Task<int?> ReadHeaderAsync(Stream stream, CancellationToken cancellation) => new IpcFrameHeader().ReadAsync(stream, cancellation);

    /// <summary>
    /// Reads a payload chunk by chunk into a buffer that grows only with what has arrived.
    /// <paramref name="reserve"/> is told of every chunk before it is kept (the server's memory budget).
    /// </summary>
    public static async Task<MemoryStream> ReadPayloadAsync(Stream stream, int length, Action<int>? reserve, CancellationToken cancellation)
    {
        var payload = new MemoryStream(Math.Min(length, ChunkBytes));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (payload.Length < length)
            {
                var wanted = (int)Math.Min(ChunkBytes, length - payload.Length);
                var count = await stream.ReadAsync(chunk.AsMemory(0, wanted), cancellation).ConfigureAwait(false);
                if (count == 0)
                {
                    throw new DaemonProtocolException("The connection closed in the middle of a message.");
                }
                reserve?.Invoke(count);
                payload.Write(chunk, 0, count);
            }
            payload.Position = 0;
            return payload;
        }
        catch
        {
            await payload.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public static T Deserialize<T>(MemoryStream payload) where T : class => Deserialize<T>(payload.GetBuffer().AsSpan(0, (int)payload.Length));

    private static T Deserialize<T>(ReadOnlySpan<byte> payload) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload, IpcJson.Options)
                ?? throw new DaemonProtocolException("An empty message was received.");
        }
        catch (JsonException exception)
        {
            throw new DaemonProtocolException("A message was not valid JSON: " + exception.Message, exception);
        }
    }
}

/// <summary>
/// Reads a frame's 4-byte length. What has arrived is kept when a read is cancelled, so a
/// wait can be given up and taken up again without losing a header that was half sent.
/// </summary>
public sealed class IpcFrameHeader
{
    private readonly byte[] header = new byte[4];
    private int filled;

    /// <summary>True when part of a header has arrived and the rest has not.</summary>
    public bool Partial => filled > 0;

    /// <summary>The length; null when the peer closed the connection before a header began.</summary>
    public async Task<int?> ReadAsync(Stream stream, CancellationToken cancellation)
    {
        while (filled < header.Length)
        {
            var count = await stream.ReadAsync(header.AsMemory(filled), cancellation).ConfigureAwait(false);
            if (count == 0)
            {
                return filled == 0 ? null : throw new DaemonProtocolException("The connection closed in the middle of a message.");
            }
            filled += count;
        }
        filled = 0;
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > IpcFraming.MaxMessageBytes)
        {
            throw new DaemonRequestTooLargeException("A message", length);
        }
        return length;
    }
}

/// <summary>A message over the size the daemon accepts: says how large, the limit, and what to do.</summary>
public sealed class DaemonRequestTooLargeException(string what, long bytes)
    : WorkflowAutomationException(ErrorIds.DaemonRequestTooLarge, ErrorKind.InvalidArgument,
        $"{what} is {Describe(bytes)}, over the {IpcFraming.MaxMessageBytes / (1024 * 1024)} MiB the daemon accepts in one message. " +
        "Make the workflow file smaller (move large data into files the steps read), or run it in this session with Invoke-Workflow.")
{
    private static string Describe(long bytes) =>
        bytes < 0 ? $"declared as {bytes} bytes" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB ({bytes} bytes)");
}
