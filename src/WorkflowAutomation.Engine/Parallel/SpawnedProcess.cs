using System.Runtime.InteropServices;
using System.Text;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// The Linux fast path for plain programs: <c>posix_spawn</c> (a vfork-style clone, then
/// exec), both output pipes and the child's exit waited for together with one <c>poll</c>
/// on the worker thread. No Process object, no thread-pool hop, no SIGCHLD round trip:
/// this is what lets a pwsh session start processes at xargs' pace. Everything else (shell
/// commands, other platforms) goes through <see cref="System.Diagnostics.Process"/>.
/// </summary>
/// <remarks>
/// The child gets /dev/null as input, default signal handlers and an empty signal mask,
/// and the task's <see cref="ProcessTree"/> token in its environment, so a timeout or a
/// cancellation kills it and anything it started. The pid is reaped only under a lock that
/// the kill also takes, so a kill can never hit a recycled pid.
///
/// The exit is watched through a pidfd (Linux 5.3 and later) while this process keeps its
/// own copies of the pipes' write ends open: the pipes cannot reach end-of-file before the
/// child has exited, so a short task costs one wake-up (the exit) instead of two (the end of
/// its output, then its exit, which come a moment apart). Output is still read as it comes,
/// so a child that writes more than a pipe holds never blocks. Where pidfds are missing the
/// pipes are read to their end first and the exit waited for after.
/// </remarks>
internal static class SpawnedProcess
{
    private const int OCloexec = 0x80000;
    private const int ORdonly = 0;
    private const short PollIn = 0x1;
    private const int Eintr = 4;
    private const int PPid = 1;
    private const int WExited = 4;
    private const int WNoHang = 1;
    private const int WNoWait = 0x01000000;
    private const int SigKill = 9;
    private const int Enosys = 38;
    // The same number on every architecture .NET runs on Linux (the unified syscall table).
    private const nint SysPidfdOpen = 434;
    // siginfo_t on 64-bit Linux: signo, errno, code, padding, then si_pid.
    private const int SiPidOffset = 16;
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SweepGrace = TimeSpan.FromSeconds(2);

    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // Cleared the first time the kernel says it has no pidfd_open (before Linux 5.3).
    private static volatile bool pidfdsWork = true;

    /// <summary>Whether exits are watched through pidfds (false once the kernel turned out not to have them).</summary>
    public static bool PidfdsWork => pidfdsWork;

    // Opened once: every child's standard input is a duplicate of it, which spares each start a path lookup.
    private static readonly int DevNull = OperatingSystem.IsLinux() ? open("/dev/null", ORdonly | OCloexec) : -1;

    // The read buffer of each worker thread, reused by every task it runs.
    [ThreadStatic]
    private static byte[]? readBuffer;

    // The siginfo_t that waitid fills, one per worker thread.
    [ThreadStatic]
    private static byte[]? waitInfo;

    public static TaskOutcome Run(string program, IReadOnlyList<string> arguments, CommandContext context, string token, CancellationToken cancellation) =>
        Run(program, arguments, context, token, cancellation, pidfdsWork);

    /// <summary>Runs the program; <paramref name="watchExit"/> false reads the pipes to their end first, as where pidfds are missing.</summary>
    internal static TaskOutcome Run(string program, IReadOnlyList<string> arguments, CommandContext context, string token, CancellationToken cancellation, bool watchExit)
    {
        var timeout = context.Timeout;
        var output = new int[2];
        var error = new int[2];
        if (pipe2(output, OCloexec) != 0)
        {
            return TaskOutcome.Failure($"'{program}' could not be started: no pipe (errno {Marshal.GetLastPInvokeError()}).");
        }
        if (pipe2(error, OCloexec) != 0)
        {
            close(output[0]);
            close(output[1]);
            return TaskOutcome.Failure($"'{program}' could not be started: no pipe (errno {Marshal.GetLastPInvokeError()}).");
        }
        int pid;
        int status;
        var exit = -1;
        try
        {
            status = Spawn(program, arguments, context, token, output[1], error[1], out pid);
            if (status == 0 && watchExit)
            {
                exit = OpenPidfd(pid);
            }
        }
        finally
        {
            if (exit < 0)
            {
                close(output[1]);
                close(error[1]);
            }
        }
        if (status != 0)
        {
            close(output[0]);
            close(error[0]);
            return TaskOutcome.Failure($"'{program}' could not be started: {Marshal.GetPInvokeErrorMessage(status)}.");
        }

        var child = new Child(pid, token);
        byte[] stdout, stderr;
        using (cancellation.Register(static c => ((Child)c!).Kill(ParallelTaskStatus.Cancelled), child))
        using (timeout is { } limit ? context.Time.CreateTimer(static c => ((Child)c!).Kill(ParallelTaskStatus.TimedOut), child, limit, Timeout.InfiniteTimeSpan) : null)
        {
            var read = new Reader();
            long exitedAt = 0;
            if (exit >= 0)
            {
                read.UntilExit(output[0], error[0], exit);
                exitedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                close(exit);
                // Ours were the last write ends unless the child left processes holding its own.
                close(output[1]);
                close(error[1]);
            }
            read.ToEnd(output[0], error[0], child, exitedAt);
            child.WaitAndReap(exited: exit >= 0);
            (stdout, stderr) = read.Result;
        }
        var text = stdout.Length == 0 ? string.Empty : Encoding.UTF8.GetString(stdout);
        var errors = stderr.Length == 0 ? string.Empty : Encoding.UTF8.GetString(stderr).TrimEnd('\r', '\n');
        if (child.StoppedAs is { } reason)
        {
            var why = reason == ParallelTaskStatus.TimedOut
                ? $"Timed out after {timeout!.Value.TotalSeconds:0.###} s; the process tree was killed."
                : "Cancelled; the process tree was killed.";
            return new TaskOutcome(reason, null, ShellCommandExecutor.Lines(text), errors.Length == 0 ? why : errors + Environment.NewLine + why);
        }
        return new TaskOutcome(child.ExitCode == 0 ? ParallelTaskStatus.Succeeded : ParallelTaskStatus.Failed,
            child.ExitCode, ShellCommandExecutor.Lines(text), errors.Length == 0 ? null : errors);
    }

    private static int Spawn(string program, IReadOnlyList<string> arguments, CommandContext context, string token, int stdout, int stderr, out int pid)
    {
        var scratch = SpawnAttributes.For(context);
        scratch.SetToken(token);
        var actions = scratch.Actions;
        posix_spawn_file_actions_init(actions);
        try
        {
            if (DevNull >= 0)
            {
                posix_spawn_file_actions_adddup2(actions, DevNull, 0);
            }
            else
            {
                posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ORdonly, 0);
            }
            posix_spawn_file_actions_adddup2(actions, stdout, 1);
            posix_spawn_file_actions_adddup2(actions, stderr, 2);
            if (!string.IsNullOrEmpty(context.WorkingDirectory))
            {
                posix_spawn_file_actions_addchdir_np(actions, context.WorkingDirectory);
            }
            var argv = new string?[arguments.Count + 2];
            argv[0] = program;
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i + 1] = arguments[i];
            }
            return posix_spawn(out pid, program, actions, scratch.Attributes, argv, scratch.Envp);
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
        }
    }

    /// <summary>A pidfd for the child, or -1 when there is none (no pidfds in this kernel, or no descriptor left).</summary>
    private static int OpenPidfd(int pid)
    {
        var fd = (int)pidfd_open(SysPidfdOpen, pid, 0);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Enosys)
        {
            pidfdsWork = false;
        }
        return fd;
    }

    /// <summary>Reads a child's two pipes on this thread, keeping what arrives.</summary>
    private sealed class Reader
    {
        // Most tasks print little or nothing: a stream is made only for output that arrives.
        private MemoryStream? stdout;
        private MemoryStream? stderr;
        private readonly byte[] buffer = readBuffer ??= new byte[16384];

        public (byte[] Output, byte[] Error) Result => (stdout?.ToArray() ?? [], stderr?.ToArray() ?? []);

        /// <summary>Reads output as it comes until the pidfd says the child exited (this process holds the write ends, so no end-of-file comes first).</summary>
        public void UntilExit(int output, int error, int exit)
        {
            Span<PollFd> fds = stackalloc PollFd[3];
            fds[0] = new PollFd { Fd = output, Events = PollIn };
            fds[1] = new PollFd { Fd = error, Events = PollIn };
            fds[2] = new PollFd { Fd = exit, Events = PollIn };
            while (true)
            {
                var ready = poll(ref fds[0], 3, -1);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }
                    // Not expected with valid descriptors; the end-of-file loop that follows still finishes the task.
                    return;
                }
                if (fds[2].Revents != 0)
                {
                    return;
                }
                for (var i = 0; i < 2; i++)
                {
                    if (fds[i].Revents != 0)
                    {
                        Keep(i, ReadSome(fds[i].Fd, buffer));
                    }
                }
            }
        }

        /// <summary>Reads both pipes to their end and closes them; kills leftovers that hold them after the child exited.</summary>
        public void ToEnd(int output, int error, Child child, long exitedAt)
        {
            Span<PollFd> fds = stackalloc PollFd[2];
            fds[0] = new PollFd { Fd = output, Events = PollIn };
            fds[1] = new PollFd { Fd = error, Events = PollIn };
            var open = 2;
            long sweptAt = 0;
            try
            {
                while (open > 0)
                {
                    var ready = poll(ref fds[0], 2, 100);
                    if (ready < 0 && Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }
                    if (ready == 0)
                    {
                        // Nothing to read: if the child is gone, whoever still holds the pipes is an orphan.
                        if (exitedAt == 0 && child.HasExited())
                        {
                            exitedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                        }
                        else if (sweptAt == 0 && exitedAt != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(exitedAt) > OrphanGrace)
                        {
                            ProcessTree.KillByToken(child.Token);
                            sweptAt = System.Diagnostics.Stopwatch.GetTimestamp();
                        }
                        else if (sweptAt != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(sweptAt) > SweepGrace)
                        {
                            // Held by a process that dropped the token: the task does not wait for it.
                            break;
                        }
                        continue;
                    }
                    for (var i = 0; i < fds.Length; i++)
                    {
                        if (fds[i].Fd < 0 || fds[i].Revents == 0)
                        {
                            continue;
                        }
                        var read = ReadSome(fds[i].Fd, buffer);
                        if (read > 0)
                        {
                            Keep(i, read);
                        }
                        else
                        {
                            close(fds[i].Fd);
                            fds[i].Fd = -1;
                            open--;
                        }
                    }
                }
            }
            finally
            {
                for (var i = 0; i < fds.Length; i++)
                {
                    if (fds[i].Fd >= 0)
                    {
                        close(fds[i].Fd);
                    }
                }
            }
        }

        private void Keep(int stream, int read)
        {
            if (read > 0)
            {
                (stream == 0 ? stdout ??= new MemoryStream() : stderr ??= new MemoryStream()).Write(buffer, 0, read);
            }
        }
    }

    private static int ReadSome(int fd, byte[] buffer)
    {
        while (true)
        {
            var read = (int)read_(fd, buffer, (nint)buffer.Length);
            if (read >= 0 || Marshal.GetLastPInvokeError() != Eintr)
            {
                return Math.Max(read, 0);
            }
        }
    }

    /// <summary>The spawned child: waited for without reaping, reaped under the lock the kill takes.</summary>
    private sealed class Child(int pid, string token)
    {
        private readonly object gate = new();
        private bool reaped;
        private int stoppedAs = -1;

        public string Token => token;

        public int ExitCode { get; private set; }

        public ParallelTaskStatus? StoppedAs => stoppedAs >= 0 ? (ParallelTaskStatus)stoppedAs : null;

        public bool HasExited()
        {
            var info = waitInfo ??= new byte[128];
            return waitid(PPid, pid, info, WExited | WNoHang | WNoWait) == 0 && BitConverter.ToInt32(info, SiPidOffset) == pid;
        }

        /// <summary>Waits for the exit (unless the caller saw it already), then reaps the child.</summary>
        public void WaitAndReap(bool exited)
        {
            var info = waitInfo ??= new byte[128];
            while (!exited && waitid(PPid, pid, info, WExited | WNoWait) != 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
            }
            lock (gate)
            {
                int status;
                while (waitpid(pid, out status, 0) < 0 && Marshal.GetLastPInvokeError() == Eintr)
                {
                }
                reaped = true;
                // WIFEXITED: the low 7 bits are 0 and the code is in the next byte; a signal gives 128 + signal, as shells report it.
                ExitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            }
        }

        public void Kill(ParallelTaskStatus reason)
        {
            lock (gate)
            {
                if (reaped || stoppedAs >= 0)
                {
                    return;
                }
                stoppedAs = (int)reason;
                kill(pid, SigKill);
            }
            ProcessTree.KillByToken(token);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int pipe2([Out] int[] fds, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint read_(int fd, [Out] byte[] buffer, nint count);

    // A reference to the first of a span of blittable structures: passed as a pointer, nothing copied.
    [DllImport("libc", SetLastError = true)]
    private static extern int poll(ref PollFd fds, nuint count, int timeout);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern nint pidfd_open(nint number, nint pid, nint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitid(int idType, int id, [Out] byte[] info, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    // LPStr is UTF-8 on Unix.
    [DllImport("libc")]
    private static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr actions, IntPtr attributes,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv, IntPtr[] envp);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int target);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addchdir_np(IntPtr actions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);







}
