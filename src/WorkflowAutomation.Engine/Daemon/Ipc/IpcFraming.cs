using System.Buffers.Binary;
using System.Text.Json;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// The wire format: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. A length
/// limit keeps a confused or hostile peer from making the daemon allocate without bound.
/// </summary>
public static class IpcFraming
{
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    public static async Task WriteAsync<T>(Stream stream, T message, CancellationToken cancellation)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, IpcJson.Options);
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellation).ConfigureAwait(false);
        await stream.FlushAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Reads one message; null when the peer closed the connection between messages.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, CancellationToken cancellation) where T : class
    {
        var header = new byte[4];
        if (!await ReadExactlyAsync(stream, header, cancellation).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > MaxMessageBytes)
        {
            throw new DaemonProtocolException($"A message of {length} bytes is outside the allowed 0 to {MaxMessageBytes}.");
        }
        var payload = new byte[length];
        if (!await ReadExactlyAsync(stream, payload, cancellation).ConfigureAwait(false))
        {
            throw new DaemonProtocolException("The connection closed in the middle of a message.");
        }
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

    private static async Task<bool> ReadExactlyAsync(Stream stream, byte[] buffer, CancellationToken cancellation)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await stream.ReadAsync(buffer.AsMemory(read), cancellation).ConfigureAwait(false);
            if (count == 0)
            {
                return read == 0 ? false : throw new DaemonProtocolException("The connection closed in the middle of a message.");
            }
            read += count;
        }
        return true;
    }
}
