using System.IO.Pipes;
using System.Net.Sockets;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// The daemon's end of the local channel: a Unix domain socket (0600, in the 0700 daemon
/// folder) on Linux and macOS, a current-user-only named pipe on Windows.
/// </summary>
internal abstract class IpcListener : IDisposable
{
    public static IpcListener Create(DaemonPaths paths) =>
        OperatingSystem.IsWindows() ? new PipeListener(paths.PipeName) : new UnixSocketListener(paths.Socket);

    public abstract Task<Stream> AcceptAsync(CancellationToken cancellation);

    public abstract void Dispose();
}

internal sealed class UnixSocketListener : IpcListener
{
    private readonly Socket socket;
    private readonly string path;

    public UnixSocketListener(string path)
    {
        this.path = path;
        // We hold the instance lock, so a socket file left here is from a daemon that died.
        File.Delete(path);
        socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(IpcEndpoint.Create(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, OwnerOnly.OwnerFileMode);
            }
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async Task<Stream> AcceptAsync(CancellationToken cancellation)
    {
        var connection = await socket.AcceptAsync(cancellation).ConfigureAwait(false);
        return new NetworkStream(connection, ownsSocket: true);
    }

    public override void Dispose()
    {
        socket.Dispose();
        File.Delete(path);
    }
}

internal sealed class PipeListener(string name) : IpcListener
{
    public override async Task<Stream> AcceptAsync(CancellationToken cancellation)
    {
        var pipe = new NamedPipeServerStream(name, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances,
            PipeTransmissionMode.Byte, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
        try
        {
            await pipe.WaitForConnectionAsync(cancellation).ConfigureAwait(false);
            return pipe;
        }
        catch
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override void Dispose()
    {
    }
}

/// <summary>Builds the socket address, with a clear error for paths the OS cannot bind.</summary>
internal static class IpcEndpoint
{
    public static UnixDomainSocketEndPoint Create(string path)
    {
        try
        {
            return new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new StateDirectoryException(
                $"The daemon socket path '{path}' is longer than the operating system allows for a Unix socket. " +
                $"Set {StateDirectory.HomeVariable} to a shorter folder.") { Source = exception.Source };
        }
    }
}
