using System.Diagnostics;
using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Processes;
using WorkflowAutomation.State;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// Runs pwsh steps in a reused runspace of this process, so a step costs a pipeline, not a
/// new pwsh. Environment variables belong to the whole process, so only one script runs
/// in-process at a time; a pwsh step that starts while another runs gets its own pwsh
/// process instead, which keeps parallel steps parallel and their variables apart.
/// Internal on purpose: PowerShell inspects the module's public types before the load
/// context that resolves the engine is installed.
/// </summary>
internal sealed class RunspaceScriptHost : IScriptHost
{
    // After PowerShell.Stop() a script stuck in .NET code may not return; it is abandoned.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim slot = new(1, 1);
    // Per scratch root (the state directory can change within a session): created on first use, removed on dispose.
    private readonly Dictionary<string, string> scriptFolders = new(StringComparer.Ordinal);
    private readonly IScriptHost fallback;
    private readonly string defaultDirectory;
    private StepRunspace? runspace;
    private bool disposed;

    /// <param name="pwshPath">The pwsh executable used when the runspace is busy.</param>
    /// <param name="defaultDirectory">Where scripts start when the request names no folder.</param>
    public RunspaceScriptHost(string pwshPath, string defaultDirectory)
    {
        fallback = new ProcessScriptHost(pwshPath);
        this.defaultDirectory = defaultDirectory;
    }

    /// <summary>Whether a runspace is open for steps already.</summary>
    public bool HasRunspace => runspace is not null;

    /// <summary>The pwsh executable next to the running PowerShell.</summary>
    public static string CurrentPwsh(string psHome) =>
        Path.Combine(psHome, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");

    public Task<ScriptResult> InvokeAsync(ScriptRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!slot.Wait(0))
        {
            return fallback.InvokeAsync(request, onOutput, cancellationToken);
        }
        return RunExclusive(request, onOutput, cancellationToken);
    }

    private async Task<ScriptResult> RunExclusive(ScriptRequest request, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        var saved = new Dictionary<string, string?>();
        // Processes the script starts inherit the token, so a stop can find them all, orphans
        // included; they are all started after this mark, so only those are read.
        var since = PidMark.Take();
        var token = ProcessTree.NewToken();
        var environment = new Dictionary<string, string?>(request.Environment) { [ProcessTree.TokenVariable] = token };
        try
        {
            foreach (var (name, value) in environment)
            {
                saved[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
            return await RunInRunspace(request, new StepTree(token, since), onOutput ?? (_ => { }), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            slot.Release();
        }
    }

    private async Task<ScriptResult> RunInRunspace(ScriptRequest request, StepTree tree, Action<OutputLine> sink, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var target = runspace ??= StepRunspace.Take();
        // A script file, not script text: 'exit 3' then ends the step with code 3 instead of
        // silently ending the pipeline, and the step's variables stay in its own scope. Named
        // by its content, so a rerun finds it written and resolved already.
        var text = PwshScript.Wrap(request.Script);
        var file = Path.Combine(ScriptFolder(request.ScratchFolder), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32] + ".ps1");
        if (!File.Exists(file))
        {
            OwnerOnly.WriteScratchFile(file, text);
        }
        return await RunFile(target, file, request, tree, sink, cancellationToken, stopwatch).ConfigureAwait(false);
    }

    private async Task<ScriptResult> RunFile(StepRunspace target, string file, ScriptRequest request, StepTree tree, Action<OutputLine> sink,
        CancellationToken cancellationToken, Stopwatch stopwatch)
    {
        // Set through the API rather than by cmdlets in the script: each cmdlet costs milliseconds.
        target.Runspace.SessionStateProxy.PSVariable.Remove("LASTEXITCODE");
        target.MoveTo(request.WorkingDirectory ?? defaultDirectory);
        using var shell = target.Launch(file);
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => sink(new OutputLine(OutputStream.Output, output[e.Index]?.ToString() ?? string.Empty));
        shell.Streams.Error.DataAdded += (_, e) => sink(new OutputLine(OutputStream.Error, shell.Streams.Error[e.Index].ToString()));
        shell.Streams.Warning.DataAdded += (_, e) => sink(new OutputLine(OutputStream.Output, "WARNING: " + shell.Streams.Warning[e.Index].Message));
        shell.Streams.Information.DataAdded += (_, e) => sink(new OutputLine(OutputStream.Output, shell.Streams.Information[e.Index].MessageData?.ToString() ?? string.Empty));

        using var timeout = request.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var invocation = Task.Factory.FromAsync(shell.BeginInvoke<PSObject, PSObject>(null, output), shell.EndInvoke);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (linked.Token.Register(() => stopped.TrySetResult()))
        {
            await Task.WhenAny(invocation, stopped.Task).ConfigureAwait(false);
        }

        if (!invocation.IsCompleted)
        {
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            shell.BeginStop(null, null);
            tree.Kill();
            if (await Task.WhenAny(invocation, Task.Delay(StopGrace, CancellationToken.None)).ConfigureAwait(false) != invocation)
            {
                // Stuck in code PowerShell cannot interrupt: leave it and start afresh next time.
                runspace = null;
                _ = invocation.ContinueWith(_ => target.Dispose(), TaskScheduler.Default);
            }
            tree.Kill();
            return new ScriptResult(-1, timedOut, !timedOut, stopwatch.Elapsed,
                timedOut ? $"The script ran past its timeout of {request.Timeout!.Value.TotalSeconds:0.###} s and was stopped." : "The script was cancelled.");
        }

        // Background processes the script started end with the step, as they do for process steps.
        tree.Kill();
        try
        {
            await invocation.ConfigureAwait(false);
        }
        catch (RuntimeException exception)
        {
            sink(new OutputLine(OutputStream.Error, exception.ErrorRecord?.ToString() ?? exception.Message));
            return new ScriptResult(1, false, false, stopwatch.Elapsed, exception.Message);
        }
        if (target.TakeFailure() is { } record)
        {
            var message = record is ErrorRecord error ? error.Exception.Message : record.ToString();
            sink(new OutputLine(OutputStream.Error, record is ErrorRecord full ? full.ToString() : message ?? string.Empty));
            return new ScriptResult(target.ExitCode() is { } code and not 0 ? code : 1, false, false, stopwatch.Elapsed, message);
        }
        // Errors that did not stop the script (ErrorAction Continue inside it) are not a failure.
        var exitCode = target.ExitCode() ?? 0;
        return new ScriptResult(exitCode, false, false, stopwatch.Elapsed,
            exitCode == 0 ? null : $"The script exited with code {exitCode}.");
    }

    /// <summary>The processes a script started: those carrying its token, started since the mark.</summary>
    private readonly record struct StepTree(string Token, PidMark Since)
    {
        public void Kill() => ProcessTree.KillByToken(Token, Since);
    }

    /// <summary>
    /// Step scripts may carry interpolated secrets: a private folder in the state directory,
    /// removed on dispose (or, after a crash, when the next session or daemon starts).
    /// </summary>
    private string ScriptFolder(string? scratchRoot)
    {
        scratchRoot ??= StateDirectory.Resolve().ScratchFolder;
        lock (scriptFolders)
        {
            if (!scriptFolders.TryGetValue(scratchRoot, out var folder) || !Directory.Exists(folder))
            {
                folder = scriptFolders[scratchRoot] = ScratchFiles.NewStepsFolder(scratchRoot);
            }
            return folder;
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        runspace?.Dispose();
        fallback.Dispose();
        lock (scriptFolders)
        {
            foreach (var folder in scriptFolders.Values)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // A stopped script may still hold its file; the next start cleans the folder.
                }
            }
        }
        slot.Dispose();
    }
}
