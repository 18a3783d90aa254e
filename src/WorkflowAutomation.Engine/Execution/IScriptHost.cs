using WorkflowAutomation.Processes;
namespace WorkflowAutomation.Execution;

/// <summary>
/// Runs PowerShell script text. The module hands the engine one that reuses runspaces, so a
/// pwsh step does not pay for a new pwsh process; <see cref="ProcessScriptHost"/> is the
/// fallback for hosts without PowerShell (tests, tools).
/// </summary>
public interface IScriptHost : IDisposable
{
    /// <summary>Runs the script to its end, streaming its output; never throws for a failing script.</summary>
    Task<ScriptResult> InvokeAsync(ScriptRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken);
}

/// <summary>A script to run, with the environment variables it sees.</summary>
public sealed class ScriptRequest
{
    public required string Script { get; init; }
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    public string? WorkingDirectory { get; init; }
    /// <summary>On expiry the script is stopped and anything it started is killed; null means no limit.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Where the host may keep scratch files for the script (the state directory's scratch folder); null for the default.</summary>
    public string? ScratchFolder { get; init; }
    /// <summary>The longest output line kept, in characters. <value>The default is 65,536.</value></summary>
    public int MaxLineLength { get; init; } = ProcessRunner.DefaultMaxLineLength;
}

/// <summary>How a script ended. ExitCode is 0 on success, the script's exit code, or 1 for a terminating error.</summary>
public sealed record ScriptResult(int ExitCode, bool TimedOut, bool Cancelled, TimeSpan Duration, string? Error = null)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
}

/// <summary>Runs each script in a new pwsh process: correct everywhere, but pays pwsh's start-up.</summary>
public sealed class ProcessScriptHost(string? pwshPath = null) : IScriptHost
{
    private readonly string pwsh = pwshPath ?? ShellCommand.PwshExecutable;

    public async Task<ScriptResult> InvokeAsync(ScriptRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(new ProcessRequest
        {
            FileName = pwsh,
            Arguments = ["-NoProfile", "-NonInteractive", "-NoLogo", "-Command", PwshScript.Wrap(request.Script)],
            Environment = request.Environment,
            WorkingDirectory = request.WorkingDirectory,
            Timeout = request.Timeout,
            MaxLineLength = request.MaxLineLength,
        }, onOutput, cancellationToken).ConfigureAwait(false);
        return new ScriptResult(result.ExitCode, result.TimedOut, result.Cancelled, result.Duration);
    }

    public void Dispose()
    {
    }
}
