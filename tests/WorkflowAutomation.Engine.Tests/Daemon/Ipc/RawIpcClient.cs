using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;

namespace WorkflowAutomation.Tests.Daemon.Ipc;

/// <summary>A client that knows only the socket's path: no token, no DaemonClient, bytes as it likes.</summary>
internal sealed class RawIpcClient : IDisposable
{
    private readonly Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public RawIpcClient(DaemonPaths paths, TimeSpan? receiveTimeout = null)
    {
        socket.ReceiveTimeout = (int)(receiveTimeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(paths.Socket));
    }

    public void SendHeader(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, length);
        socket.Send(header);
    }

    public void SendJson(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        SendHeader(payload.Length);
        socket.Send(payload);
    }

    /// <summary>The same message <paramref name="count"/> times, in one write (pipelined, as a client that reads nothing).</summary>
    public void SendJsonRepeated(string json, int count)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var frames = new byte[(4 + payload.Length) * count];
        for (var index = 0; index < count; index++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frames.AsSpan(index * (4 + payload.Length)), payload.Length);
            payload.CopyTo(frames, index * (4 + payload.Length) + 4);
        }
        socket.Send(frames);
    }

    /// <summary>The next answer; fails (rather than hangs) when none comes within the receive timeout.</summary>
    public IpcResponse Receive()
    {
        var header = ReceiveExactly(4) ?? throw new InvalidOperationException("The daemon closed the connection without an answer.");
        var payload = ReceiveExactly(BinaryPrimitives.ReadInt32BigEndian(header)) ?? throw new InvalidOperationException("The answer was cut short.");
        return System.Text.Json.JsonSerializer.Deserialize<IpcResponse>(payload, IpcJson.Options)!;
    }

    /// <summary>True when the daemon closed the connection (a read returns 0) within the receive timeout.</summary>
    public bool ClosedByDaemon()
    {
        try
        {
            return socket.Receive(new byte[4096]) == 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private byte[]? ReceiveExactly(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var got = socket.Receive(buffer, read, count - read, SocketFlags.None);
            if (got == 0)
            {
                return null;
            }
            read += got;
        }
        return buffer;
    }

    public void Dispose() => socket.Dispose();
}
