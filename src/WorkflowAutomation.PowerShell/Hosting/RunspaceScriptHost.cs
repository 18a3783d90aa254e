using System.Diagnostics;
using System.Management.Automation.Runspaces;
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

    private const string FailureVariable = "WorkflowAutomationStepFailure";

    private readonly SemaphoreSlim slot = new(1, 1);
    // Per scratch root (the state directory can change within a session): created on first use, removed on dispose.
    private readonly Dictionary<string, string> scriptFolders = new(StringComparer.Ordinal);
    private readonly IScriptHost fallback;
    private readonly string defaultDirectory;
    private Runspace? runspace;
    private bool disposed;

    /// <param name="pwshPath">The pwsh executable used when the runspace is busy.</param>
    /// <param name="defaultDirectory">Where scripts start when the request names no folder.</param>
    public RunspaceScriptHost(string pwshPath, string defaultDirectory)
    {
        fallback = new ProcessScriptHost(pwshPath);
        this.defaultDirectory = defaultDirectory;
    }

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
        // Processes the script starts inherit the token, so a stop can find them all, orphans included.
        var token = ProcessTree.NewToken();
        var environment = new Dictionary<string, string?>(request.Environment) { [ProcessTree.TokenVariable] = token };
        try
        {
            foreach (var (name, value) in environment)
            {
                saved[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
            return await RunInRunspace(request, token, onOutput ?? (_ => { }), cancellationToken).ConfigureAwait(false);
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

    private async Task<ScriptResult> RunInRunspace(ScriptRequest request, string token, Action<OutputLine> sink, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var target = runspace ??= OpenRunspace();
        // A script file, not script text: 'exit 3' then ends the step with code 3 instead of
        // silently ending the pipeline, and the step's variables stay in its own scope. Named
        // by its content, so PowerShell's cache of parsed scripts serves a rerun.
        var text = PwshScript.Wrap(request.Script);
        var file = Path.Combine(ScriptFolder(request.ScratchFolder), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32] + ".ps1");
        if (!File.Exists(file))
        {
            OwnerOnly.WriteScratchFile(file, text);
        }
        return await RunFile(target, file, request, token, sink, cancellationToken, stopwatch).ConfigureAwait(false);
    }

    private async Task<ScriptResult> RunFile(Runspace target, string file, ScriptRequest request, string token, Action<OutputLine> sink,
        CancellationToken cancellationToken, Stopwatch stopwatch)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = target;
        // Set through the API rather than by cmdlets in the script: each cmdlet costs milliseconds.
        target.SessionStateProxy.PSVariable.Remove("LASTEXITCODE");
        MoveTo(target, request.WorkingDirectory ?? defaultDirectory);
        shell.AddScript(Launcher).AddParameter("File", file);
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
            ProcessTree.KillByToken(token);
            if (await Task.WhenAny(invocation, Task.Delay(StopGrace, CancellationToken.None)).ConfigureAwait(false) != invocation)
            {
                // Stuck in code PowerShell cannot interrupt: leave it and start afresh next time.
                runspace = null;
                _ = invocation.ContinueWith(_ => target.Dispose(), TaskScheduler.Default);
            }
            ProcessTree.KillByToken(token);
            return new ScriptResult(-1, timedOut, !timedOut, stopwatch.Elapsed,
                timedOut ? $"The script ran past its timeout of {request.Timeout!.Value.TotalSeconds:0.###} s and was stopped." : "The script was cancelled.");
        }

        // Background processes the script started end with the step, as they do for process steps.
        ProcessTree.KillByToken(token);
        try
        {
            await invocation.ConfigureAwait(false);
        }
        catch (RuntimeException exception)
        {
            sink(new OutputLine(OutputStream.Error, exception.ErrorRecord?.ToString() ?? exception.Message));
            return new ScriptResult(1, false, false, stopwatch.Elapsed, exception.Message);
        }
        if (target.SessionStateProxy.GetVariable(FailureVariable) is { } failure)
        {
            target.SessionStateProxy.SetVariable(FailureVariable, null);
            var record = failure is PSObject wrapped ? wrapped.BaseObject : failure;
            var message = record is ErrorRecord error ? error.Exception.Message : record.ToString();
            sink(new OutputLine(OutputStream.Error, record is ErrorRecord full ? full.ToString() : message ?? string.Empty));
            return new ScriptResult(ExitCode(target) is { } code and not 0 ? code : 1, false, false, stopwatch.Elapsed, message);
        }
        // Errors that did not stop the script (ErrorAction Continue inside it) are not a failure.
        var exitCode = ExitCode(target) ?? 0;
        return new ScriptResult(exitCode, false, false, stopwatch.Elapsed,
            exitCode == 0 ? null : $"The script exited with code {exitCode}.");
    }

    // The step's terminating error is kept here rather than thrown, so its output and the
    // error both reach the log in the order they happened. Constant text: compiled once.
    private const string Launcher = """
        param($File)
        try { & $File | Out-String -Stream } catch { $global:WorkflowAutomationStepFailure = $_ }
        """;

    /// <summary>
    /// Sets the runspace's location, unless it is there already: setting it costs about a
    /// millisecond, most of a step's overhead, while reading it costs a tenth of that.
    /// </summary>
    private static void MoveTo(Runspace target, string directory)
    {
        var current = target.SessionStateProxy.Path.CurrentLocation;
        var there = current.Provider.Name == "FileSystem"
            && string.Equals(Path.TrimEndingDirectorySeparator(current.ProviderPath), Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)),
                OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        if (!there)
        {
            target.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(directory));
        }
    }

    private static int? ExitCode(Runspace target) =>
        target.SessionStateProxy.GetVariable("LASTEXITCODE") is { } value
            ? LanguagePrimitives.ConvertTo<int>(value)
            : null;

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

    private static Runspace OpenRunspace()
    {
        var state = InitialSessionState.CreateDefault2();
        var created = RunspaceFactory.CreateRunspace(state);
        // One thread for every step, instead of a new thread per invocation.
        created.ThreadOptions = PSThreadOptions.ReuseThread;
        created.Open();
        return created;
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
