using System.Diagnostics;

namespace WorkflowAutomation.Processes;

/// <summary>
/// Runs a real process, streams its stdout and stderr line by line to a callback, and on
/// timeout or cancellation kills its whole process tree (children included, even those
/// that ignore SIGTERM). Shared by the workflow engine and the parallel executor.
/// </summary>
public static class ProcessRunner
{
    // How long the output pipes may stay open after the process exited: a background child
    // that inherited them would otherwise hold the step forever.
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs the process to its end; never throws for a non-zero exit, a timeout or a cancellation.</summary>
    /// <exception cref="ProcessStartException">The executable could not be started.</exception>
    public static async Task<ProcessResult> RunAsync(ProcessRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = request.WorkingDirectory ?? string.Empty,
        };
        info.FileName = request.FileName;
        foreach (var argument in request.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var token = ProcessTree.NewToken();
        info.Environment[ProcessTree.TokenVariable] = token;
        foreach (var (name, value) in request.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new ProcessStartException(request.FileName, exception);
        }
        // No input: a step that reads stdin sees end-of-file instead of hanging.
        process.StandardInput.Close();
        var pid = process.Id;
        var sink = onOutput ?? (_ => { });
        var readers = Task.WhenAll(
            Pump(process.StandardOutput, OutputStream.Output, sink),
            Pump(process.StandardError, OutputStream.Error, sink));

        using var timeout = request.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var timedOut = false;
        var cancelled = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            cancelled = !timedOut;
            ProcessTree.Kill(process, token);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (await Task.WhenAny(readers, Task.Delay(OrphanGrace, CancellationToken.None)).ConfigureAwait(false) != readers)
        {
            // Orphans of the step still hold its output pipes: they end with the step.
            ProcessTree.KillByToken(token);
        }
        await readers.ConfigureAwait(false);
        stopwatch.Stop();
        var exitCode = timedOut || cancelled ? -1 : process.ExitCode;
        return new ProcessResult(exitCode, timedOut, cancelled, stopwatch.Elapsed, pid);
    }

    private static async Task Pump(StreamReader reader, OutputStream stream, Action<OutputLine> sink)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            sink(new OutputLine(stream, line));
        }
    }
}

/// <summary>The executable of a step or task could not be started.</summary>
public sealed class ProcessStartException(string fileName, Exception inner)
    : Common.WorkflowAutomationException("ProcessStartFailed", Common.ErrorKind.ObjectNotFound,
        $"Could not start '{fileName}': {inner.Message}. Check that it is installed and on PATH.", inner);
