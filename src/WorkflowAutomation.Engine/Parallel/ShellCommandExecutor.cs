using System.Diagnostics;
using System.Text;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// Runs a command line through the platform shell (<c>/bin/sh -c</c>, <c>cmd.exe /c</c>), or
/// directly when it is a plain program and words (<see cref="DirectCommand"/>), with
/// standard input closed and both output streams captured. On timeout or cancellation the
/// whole process tree is killed: the shell is stopped first, so it cannot fork while its
/// descendants are collected.
/// </summary>
public sealed class ShellCommandExecutor : ICommandTaskExecutor
{
    public static readonly ShellCommandExecutor Instance = new();

    // How long to wait for a killed tree to be reaped and its pipes to close.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    public TaskOutcome Run(ParallelTask task, string? workingDirectory, TimeSpan? timeout, TimeProvider time, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = StartInfo(task.Command!, workingDirectory) };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return TaskOutcome.Failure($"The shell could not be started: {exception.Message}");
        }
        // Tasks never read the console: closing stdin gives them end-of-file at once.
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = timeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token);
        var wait = linked?.Token ?? cancellation;
        try
        {
            process.WaitForExitAsync(wait).GetAwaiter().GetResult();
            // A background grandchild may hold the pipes open after the shell exits.
            Task.WaitAll([output, error], wait);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            var status = deadline?.IsCancellationRequested == true && !cancellation.IsCancellationRequested
                ? ParallelTaskStatus.TimedOut
                : ParallelTaskStatus.Cancelled;
            var why = status == ParallelTaskStatus.TimedOut
                ? $"Timed out after {timeout!.Value.TotalSeconds:0.###} s; the process tree was killed."
                : "Cancelled; the process tree was killed.";
            return new TaskOutcome(status, ExitCodeOrNull(process), Lines(Collected(output)), Join(Collected(error), why));
        }
        var exitCode = process.ExitCode;
        var stderr = error.Result;
        return new TaskOutcome(exitCode == 0 ? ParallelTaskStatus.Succeeded : ParallelTaskStatus.Failed,
            exitCode, Lines(output.Result), stderr.Length == 0 ? null : stderr.TrimEnd('\r', '\n'));
    }

    private static ProcessStartInfo StartInfo(string command, string? workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (DirectCommand.TryParse(command, out var program, out var arguments))
        {
            info.FileName = program;
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            info.FileName = Path.Combine(Environment.SystemDirectory, "cmd.exe");
            // cmd parses its own command line: pass it verbatim, not quoted as one argument.
            info.Arguments = "/d /s /c \"" + command + "\"";
        }
        else
        {
            info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(command);
        }
        return info;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(KillGrace);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Gone, or not ours to kill any more.
        }
    }

    private static int? ExitCodeOrNull(Process process)
    {
        try
        {
            return process.HasExited ? process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Collected(Task<string> reading) =>
        reading.Wait(KillGrace) && reading.IsCompletedSuccessfully ? reading.Result : string.Empty;

    private static string? Join(string stderr, string why) =>
        stderr.Length == 0 ? why : stderr.TrimEnd('\r', '\n') + Environment.NewLine + why;

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
}
