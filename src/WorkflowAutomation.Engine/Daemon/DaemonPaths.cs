using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Where the daemon of one state directory keeps its files: everything but the logs lives in
/// the owner-only <c>daemon</c> folder, so that no other user can reach the socket or the token.
/// </summary>
public sealed class DaemonPaths
{
    public DaemonPaths(StateDirectory state)
    {
        State = state;
    }

    public StateDirectory State { get; }

    public string Folder => State.DaemonFolder;

    /// <summary>Held with an exclusive OS lock while a daemon runs: the proof of single instance.</summary>
    public string LockFile => Path.Combine(Folder, "daemon.lock");

    /// <summary>The process id of the running daemon (removed on a clean stop).</summary>
    public string PidFile => Path.Combine(Folder, "daemon.pid");

    /// <summary>The process id of the supervisor of a detached daemon.</summary>
    public string SupervisorPidFile => Path.Combine(Folder, "supervisor.pid");

    /// <summary>The Unix domain socket cmdlets talk to (Linux and macOS).</summary>
    public string Socket => Path.Combine(Folder, "daemon.sock");

    /// <summary>The secret that the dashboard's HTTP API requires for changes.</summary>
    public string TokenFile => Path.Combine(Folder, "token");

    /// <summary>Queue, schedules, breakers and approvals.</summary>
    public string Database => Path.Combine(Folder, "daemon.db");

    public string LogFile => Path.Combine(State.LogsFolder, "daemon.log");

    /// <summary>What a detached daemon's process writes before its own log is open.</summary>
    public string ConsoleLogFile => Path.Combine(State.LogsFolder, "daemon-console.log");

    /// <summary>The named pipe used on Windows, unique per state directory.</summary>
    public string PipeName
    {
        get
        {
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(State.Root.ToUpperInvariant()));
            return "WorkflowAutomation-" + Convert.ToHexString(hash, 0, 8);
        }
    }

    /// <summary>Creates the daemon and log folders owner-only.</summary>
    public void EnsureFolders()
    {
        State.EnsureFolder(Folder);
        State.EnsureFolder(State.LogsFolder);
    }

    /// <summary>The pid written in a pid file, or null when there is none or it is unreadable.</summary>
    public static int? ReadPid(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
