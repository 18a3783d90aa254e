using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// The runspace pwsh steps run in, with what makes a step cheap there: the launcher is a
/// function compiled once (script text given to AddScript is parsed and compiled again on
/// every call), and each step script is resolved to its command once (a path lookup checks
/// the drive, which on Linux reads the whole mount table).
/// </summary>
internal sealed class StepRunspace : IDisposable
{
    /// <summary>Where a step's terminating error is kept.</summary>
    public const string FailureVariable = "WorkflowAutomationStepFailure";

    private const string LauncherName = "__WorkflowAutomationStep";
    private const string ScriptParameter = "__WorkflowAutomationScript";

    // Resolved step scripts kept; past this many (a daemon running many different scripts) the cache starts afresh.
    private const int MaxScripts = 1024;

    // The step's terminating error is kept rather than thrown, so its output and the error both
    // reach the log in the order they happened. Out-String -Stream renders objects as the console
    // would, line by line. The parameter's name keeps it out of the way of the step's own variables.
    private static readonly string LauncherText = $$"""
        param(${{ScriptParameter}})
        try { & ${{ScriptParameter}} | Out-String -Stream } catch { $global:{{FailureVariable}} = $_ }
        """;

    // One runspace opened and warmed after the module is imported, for the first host that needs one.
    private static Task<StepRunspace?>? prewarmed;
    private static readonly Task<StepRunspace?> Taken = Task.FromResult<StepRunspace?>(null);

    private readonly Dictionary<string, CommandInfo> scripts = new(StringComparer.Ordinal);
    private readonly CommandInfo launcher;

    private StepRunspace(Runspace runspace)
    {
        Runspace = runspace;
        launcher = runspace.SessionStateProxy.InvokeCommand.GetCommand(LauncherName, CommandTypes.Function)
            ?? throw new InvalidOperationException("The step launcher is missing from the step runspace.");
    }

    public Runspace Runspace { get; }

    public static StepRunspace Open()
    {
        var state = InitialSessionState.CreateDefault2();
        state.Commands.Add(new SessionStateFunctionEntry(LauncherName, LauncherText));
        var created = RunspaceFactory.CreateRunspace(state);
        // One thread for every step, instead of a new thread per invocation.
        created.ThreadOptions = PSThreadOptions.ReuseThread;
        created.Open();
        return new StepRunspace(created);
    }

    /// <summary>
    /// Starts <see cref="Prewarm"/> on a thread of its own, unless a runspace was prepared
    /// before: a workflow calls it as it starts, so its first pwsh step finds the runspace ready
    /// while the run was being read, recorded and started.
    /// </summary>
    public static void PrewarmInBackground()
    {
        if (Volatile.Read(ref prewarmed) is null)
        {
            new Thread(Prewarm) { IsBackground = true, Name = "WorkflowAutomation step runspace" }.Start();
        }
    }

    /// <summary>
    /// Opens a runspace and runs a script through the launcher in it (this loads the output
    /// formatting and the module of Out-String, and compiles the launcher), for the next
    /// <see cref="Take"/>. Runs once per process.
    /// </summary>
    public static void Prewarm()
    {
        var ready = new TaskCompletionSource<StepRunspace?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref prewarmed, ready.Task, null) is not null)
        {
            return;
        }
        try
        {
            var opened = Open();
            using (var shell = System.Management.Automation.PowerShell.Create())
            {
                shell.Runspace = opened.Runspace;
                shell.AddCommand(opened.launcher).AddParameter(ScriptParameter, ScriptBlock.Create("'ready'")).Invoke();
            }
            opened.TakeFailure();
            ready.SetResult(opened);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The step that needs a runspace opens one itself, and reports what fails then.
            ready.SetResult(null);
        }
    }

    /// <summary>The runspace opened by <see cref="Prewarm"/> (waiting for it if it is still opening), or a new one.</summary>
    public static StepRunspace Take()
    {
        // Taken once: after that (or when warming up failed) each asks for a runspace of its own.
        return Interlocked.Exchange(ref prewarmed, Taken)?.GetAwaiter().GetResult() ?? Open();
    }

    /// <summary>A shell that runs the script file through the launcher, in this runspace.</summary>
    public System.Management.Automation.PowerShell Launch(string file)
    {
        var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = Runspace;
        shell.AddCommand(launcher).AddParameter(ScriptParameter, Script(file));
        return shell;
    }

    /// <summary>
    /// The script's command, resolved once: files are named by their content, so a file name
    /// always means the same script.
    /// </summary>
    private CommandInfo Script(string file)
    {
        lock (scripts)
        {
            if (!scripts.TryGetValue(file, out var command))
            {
                if (scripts.Count >= MaxScripts)
                {
                    scripts.Clear();
                }
                command = scripts[file] = Runspace.SessionStateProxy.InvokeCommand.GetCommand(file, CommandTypes.ExternalScript)
                    ?? throw new FileNotFoundException($"The step script '{file}' is missing.", file);
            }
            return command;
        }
    }

    /// <summary>Sets the runspace's location, unless it is there already.</summary>
    public void MoveTo(string directory) => RunspaceLocation.MoveTo(Runspace, directory);

    /// <summary>$LASTEXITCODE as the step left it; null when it was not set.</summary>
    public int? ExitCode() =>
        Runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is { } value
            ? LanguagePrimitives.ConvertTo<int>(value)
            : null;

    /// <summary>Takes the step's terminating error, if it had one.</summary>
    public object? TakeFailure()
    {
        if (Runspace.SessionStateProxy.GetVariable(FailureVariable) is not { } failure)
        {
            return null;
        }
        Runspace.SessionStateProxy.SetVariable(FailureVariable, null);
        return failure is PSObject wrapped ? wrapped.BaseObject : failure;
    }

    public void Dispose() => Runspace.Dispose();
}
