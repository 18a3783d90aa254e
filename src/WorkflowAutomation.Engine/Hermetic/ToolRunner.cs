using System.Diagnostics;
using System.Text;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>What a manager tool printed and how it ended.</summary>
public sealed record ToolResult(int ExitCode, string Output);

/// <summary>
/// Runs the package managers' own tools (npm, pip, dotnet, pwsh) with exactly the
/// environment given (nothing inherited), and kills their whole tree on cancellation so
/// that Ctrl+C leaves nothing running.
/// </summary>
public static class ToolRunner
{
    public static ToolResult Run(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, CancellationToken cancellationToken, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        void Collect(object _, DataReceivedEventArgs line)
        {
            if (line.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(line.Data);
            }
            onLine?.Invoke(line.Data);
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new HermeticException(ErrorIds.HermeticToolMissing, ErrorKind.ObjectNotFound,
                $"Could not start '{file}': {exception.Message}. Install it (see the README, 'Hermetic environments') and try again.", exception);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() => Kill(process)))
        {
            process.WaitForExit();
        }
        cancellationToken.ThrowIfCancellationRequested();
        lock (output)
        {
            return new ToolResult(process.ExitCode, output.ToString());
        }
    }

    /// <summary>Runs a tool and throws a clear error with the end of its output when it fails.</summary>
    public static string RunChecked(string what, string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, CancellationToken cancellationToken, Action<string>? onLine = null)
    {
        var argumentList = arguments.ToList();
        var result = Run(file, argumentList, environment, workingDirectory, cancellationToken, onLine);
        if (result.ExitCode != 0)
        {
            var tail = string.Join('\n', result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
            throw new HermeticException(ErrorIds.HermeticManagerFailed, ErrorKind.InvalidResult,
                $"{what} failed (exit code {result.ExitCode}); the environment was left as it was. " +
                $"Check the package name, version and sources in the manifest. {Path.GetFileName(file)} said:\n{tail}");
        }
        return result.Output;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
