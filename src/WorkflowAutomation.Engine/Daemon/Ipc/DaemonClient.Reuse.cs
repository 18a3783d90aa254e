using System.Net.Sockets;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// Connections kept open between cmdlet calls of this process, so that Submit-Workflow in a
/// loop does not connect (and read the token) once per call. Only a connection with nothing
/// outstanding goes back; one the daemon has closed meanwhile (idle timeout, restart) is
/// noticed before it is used again and replaced by a new one.
/// </summary>
public sealed partial class DaemonClient
{
    /// <summary>Idle connections kept, across state directories; the oldest is closed beyond it.</summary>
    private const int KeptConnections = 4;

    private static readonly LinkedList<DaemonClient> Kept = new();

    private bool failed;

    /// <summary>True for a connection taken from those kept, until an answer has come on it again.</summary>
    public bool Reused { get; private set; }

    /// <summary>A kept connection to this state directory's daemon that is still open, or a new one.</summary>
    public static DaemonClient Rent(StateDirectory state)
    {
        while (true)
        {
            DaemonClient? kept = null;
            lock (Kept)
            {
                for (var node = Kept.Last; node is not null; node = node.Previous)
                {
                    if (node.Value.State.Root == state.Root)
                    {
                        kept = node.Value;
                        Kept.Remove(node);
                        break;
                    }
                }
            }
            if (kept is null)
            {
                return Connect(state);
            }
            if (kept.StillOpen())
            {
                kept.Reused = true;
                return kept;
            }
            kept.Dispose();
        }
    }

    /// <summary>Keeps this connection for the next call, if it is clean (nothing outstanding, no failure); closes it otherwise.</summary>
    public void Return()
    {
        if (failed || outstanding > 0 || !StillOpen())
        {
            Dispose();
            return;
        }
        DaemonClient? evicted = null;
        lock (Kept)
        {
            Kept.AddLast(this);
            if (Kept.Count > KeptConnections)
            {
                evicted = Kept.First!.Value;
                Kept.RemoveFirst();
            }
        }
        evicted?.Dispose();
    }

    /// <summary>Marks the connection as not to be kept (a request on it failed midway).</summary>
    private void Fail() => failed = true;

    /// <summary>False when the daemon has closed its end: readable, with nothing to read.</summary>
    private bool StillOpen()
    {
        try
        {
            return stream switch
            {
                NetworkStream network => !(network.Socket.Poll(0, SelectMode.SelectRead) && network.Socket.Available == 0),
                System.IO.Pipes.PipeStream pipe => pipe.IsConnected,
                _ => false,
            };
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or IOException)
        {
            return false;
        }
    }
}
