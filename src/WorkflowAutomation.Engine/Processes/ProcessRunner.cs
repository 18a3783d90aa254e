using System.Diagnostics;
using System.Text;
using WorkflowAutomation.Common;

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

    // How long a swept tree may take to close the pipes before they are abandoned.
    private static readonly TimeSpan SweepGrace = TimeSpan.FromSeconds(2);

    /// <summary>The longest line kept, in characters; the rest of a longer line is dropped and the line says so.</summary>
    public const int DefaultMaxLineLength = 64 * 1024;

    /// <summary>Runs the process to its end; never throws for a non-zero exit, a timeout or a cancellation.</summary>
    /// <exception cref="ProcessStartException">The executable could not be started.</exception>
    public static async Task<ProcessResult> RunAsync(ProcessRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        var token = ProcessTree.NewToken();
        using var containment = StepContainment.Create(token, request.Containment);
        var (fileName, arguments) = containment.Launch(request.FileName, request.Arguments);
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = request.WorkingDirectory ?? string.Empty,
        };
        info.FileName = fileName;
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (!request.InheritEnvironment)
        {
            info.Environment.Clear();
        }
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
        containment.Started(process.Id);
        // No input: a step that reads stdin sees end-of-file instead of hanging.
        process.StandardInput.Close();
        var pid = process.Id;
        var sink = new LineSink(onOutput);
        var readers = Task.WhenAll(
            Pump(process.StandardOutput, OutputStream.Output, sink, request.MaxLineLength),
            Pump(process.StandardError, OutputStream.Error, sink, request.MaxLineLength));

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

        // Whatever still holds the output pipes is a leftover of the step; the wait for them
        // never runs past the timeout (nor past Ctrl+C).
        await WaitAsync(readers, OrphanGrace, linked.Token).ConfigureAwait(false);
        containment.Sweep();
        if (!await WaitAsync(readers, SweepGrace, CancellationToken.None).ConfigureAwait(false))
        {
            sink.Close(new OutputLine(OutputStream.Error,
                "Stopped reading the step's output: a process it started outside its process tree still holds the output streams."));
        }
        stopwatch.Stop();
        var exitCode = timedOut || cancelled ? -1 : process.ExitCode;
        return new ProcessResult(exitCode, timedOut, cancelled, stopwatch.Elapsed, pid);
    }

    /// <summary>Waits for the task up to the limit or the token; true when it finished.</summary>
    private static async Task<bool> WaitAsync(Task task, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }
        try
        {
            await task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads lines without holding more than <paramref name="maxLine"/> characters of one:
    /// a 30 MB line costs a buffer, not 30 MB of strings.
    /// </summary>
    private static async Task Pump(StreamReader reader, OutputStream stream, LineSink sink, int maxLine)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        long dropped = 0;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                var chunk = buffer.AsSpan(0, read);
                while (chunk.Length > 0)
                {
                    var newline = chunk.IndexOf('\n');
                    var part = newline < 0 ? chunk : chunk[..newline];
                    var room = Math.Max(0, maxLine - line.Length);
                    line.Append(part[..Math.Min(room, part.Length)]);
                    dropped += Math.Max(0, part.Length - room);
                    if (newline < 0)
                    {
                        break;
                    }
                    Emit(sink, stream, line, ref dropped, maxLine);
                    chunk = chunk[(newline + 1)..];
                }
            }
            if (line.Length > 0 || dropped > 0)
            {
                Emit(sink, stream, line, ref dropped, maxLine);
            }
        }
        catch (Exception exception) when (exception is ObjectDisposedException or IOException)
        {
            // The pipes were abandoned to a process that escaped the step.
        }
    }

    private static void Emit(LineSink sink, OutputStream stream, StringBuilder line, ref long dropped, int maxLine)
    {
        if (line.Length > 0 && line[^1] == '\r' && dropped == 0)
        {
            line.Length--;
        }
        var text = line.ToString();
        if (dropped > 0)
        {
            text += $" [line truncated: {dropped:N0} more characters not kept; lines are cut at {maxLine:N0}]";
        }
        line.Clear();
        dropped = 0;
        sink.Write(new OutputLine(stream, text));
    }

    /// <summary>Passes lines on until closed: output read after the step ended is not the step's.</summary>
    private sealed class LineSink(Action<OutputLine>? target)
    {
        private readonly object gate = new();
        private bool closed;

        public void Write(OutputLine line)
        {
            lock (gate)
            {
                if (!closed)
                {
                    target?.Invoke(line);
                }
            }
        }

        public void Close(OutputLine last)
        {
            lock (gate)
            {
                if (!closed)
                {
                    target?.Invoke(last);
                    closed = true;
                }
            }
        }
    }
}

/// <summary>The executable of a step or task could not be started.</summary>
public sealed class ProcessStartException(string fileName, Exception inner)
    : Common.WorkflowAutomationException(ErrorIds.ProcessStartFailed, Common.ErrorKind.ObjectNotFound,
        $"Could not start '{fileName}': {inner.Message}. Check that it is installed and on PATH.", inner);
