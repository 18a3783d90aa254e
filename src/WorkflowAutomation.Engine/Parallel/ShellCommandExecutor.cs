using System.Diagnostics;
using System.Text;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// Runs a command line as a process, with standard input closed and both output streams
/// captured: directly when it is a plain program and words (<see cref="DirectCommand"/>,
/// one exec, as xargs does), otherwise through the platform shell (<c>sh -c</c>,
/// <c>cmd.exe /c</c>). Each attempt carries a <see cref="ProcessTree"/> token in its
/// environment, so on timeout or cancellation the engine kills the whole tree, orphaned
/// background children included.
/// </summary>
/// <remarks>
/// The worker thread waits synchronously: a task costs one process start and one wait,
/// with no timer or token source unless a timeout is set.
/// </remarks>
public sealed class ShellCommandExecutor : ICommandTaskExecutor
{
    public static readonly ShellCommandExecutor Instance = new();

    // How long the output pipes may stay open after the process exited (a background child
    // that inherited them) before its process group is killed.
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromMilliseconds(500);

    // How long to wait for a killed tree to close its pipes.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    public TaskOutcome Run(ParallelTask task, CommandContext context, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var (workingDirectory, timeout, time) = (context.WorkingDirectory, context.Timeout, context.Time);
        var direct = DirectCommand.TryParse(task.Command!, out var program, out var arguments);
        var token = ProcessTree.NewToken();
        if (direct && SpawnedProcess.IsSupported)
        {
            return SpawnedProcess.Run(program, arguments, context, token, cancellation);
        }
        var info = direct ? StartInfo(program, arguments, workingDirectory) : ShellStartInfo(task.Command!, workingDirectory);
        info.Environment[ProcessTree.TokenVariable] = token;
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return TaskOutcome.Failure($"'{task.Command}' could not be started: {exception.Message}");
        }
        // Tasks never read the console: closing stdin gives them end-of-file at once.
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        Task<string> output;

        var stop = new StopReason(process, token);
        using (cancellation.Register(static s => ((StopReason)s!).Kill(ParallelTaskStatus.Cancelled), stop))
        using (timeout is { } limit ? time.CreateTimer(static s => ((StopReason)s!).Kill(ParallelTaskStatus.TimedOut), stop, limit, Timeout.InfiniteTimeSpan) : null)
        {
            if (direct)
            {
                // A plain program: read its output on this thread until it closes it, the
                // cheapest wait there is (no thread-pool hop per task). Should it leave a
                // child holding the output, a timeout or Ctrl+C still ends both.
                output = Task.FromResult(process.StandardOutput.ReadToEnd());
                process.WaitForExit();
                error.Wait(KillGrace);
            }
            else
            {
                output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                process.WaitForExit();
                if (!Task.WaitAll([output, error], OrphanGrace))
                {
                    // Orphans of the script still hold its output: they end with the task.
                    ProcessTree.KillByToken(token);
                    Task.WaitAll([output, error], KillGrace);
                }
            }
        }
        var stdout = Collected(output);
        var stderr = Collected(error).TrimEnd('\r', '\n');
        if (stop.Status is { } reason)
        {
            var why = reason == ParallelTaskStatus.TimedOut
                ? $"Timed out after {timeout!.Value.TotalSeconds:0.###} s; the process tree was killed."
                : "Cancelled; the process tree was killed.";
            return new TaskOutcome(reason, null, Lines(stdout), stderr.Length == 0 ? why : stderr + Environment.NewLine + why);
        }
        var exitCode = process.ExitCode;
        return new TaskOutcome(exitCode == 0 ? ParallelTaskStatus.Succeeded : ParallelTaskStatus.Failed,
            exitCode, Lines(stdout), stderr.Length == 0 ? null : stderr);
    }

    private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string? workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            FileName = fileName,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    private static ProcessStartInfo ShellStartInfo(string command, string? workingDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            var info = StartInfo(Path.Combine(Environment.SystemDirectory, "cmd.exe"), [], workingDirectory);
            // cmd parses its own command line: pass it verbatim, not quoted as one argument.
            info.Arguments = "/d /s /c \"" + command + "\"";
            return info;
        }
        return StartInfo("/bin/sh", ["-c", command], workingDirectory);
    }

    private static string Collected(Task<string> reading) =>
        reading.IsCompletedSuccessfully ? reading.Result : string.Empty;

    /// <summary>Standard output as lines, without the final line break.</summary>
    internal static IReadOnlyList<object?> Lines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var lines = text.TrimEnd('\n').Split('\n');
        var result = new object?[lines.Length];
        for (var i = 0; i < lines.Length; i++)
        {
            result[i] = lines[i].TrimEnd('\r');
        }
        return result;
    }

    /// <summary>Why a process was killed; the first reason wins.</summary>
    private sealed class StopReason(Process process, string token)
    {
        private int status = -1;

        public ParallelTaskStatus? Status => Volatile.Read(ref status) is var value and >= 0 ? (ParallelTaskStatus)value : null;

        public void Kill(ParallelTaskStatus reason)
        {
            if (Interlocked.CompareExchange(ref status, (int)reason, -1) == -1)
            {
                ProcessTree.Kill(process, token);
            }
        }
    }
}
