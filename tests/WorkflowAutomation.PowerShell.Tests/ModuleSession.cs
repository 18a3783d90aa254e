using System.Collections.ObjectModel;
using System.Management.Automation.Runspaces;
using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.Tests;

/// <summary>
/// An in-process PowerShell session with the built module imported and its own fresh
/// state directory, as a user's session would have.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace runspace;

    /// <param name="host">A host for the session (to answer prompts); none, as in a hosted service, when null.</param>
    public ModuleSession(System.Management.Automation.Host.PSHost? host = null)
    {
        StateDirectory = Path.Combine(Path.GetTempPath(), "wa-host-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(StateDirectory);
        var state = InitialSessionState.CreateDefault2();
        state.EnvironmentVariables.Add(new SessionStateVariableEntry("WORKFLOW_AUTOMATION_HOME", StateDirectory, null));
        runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        Invoke($"$env:WORKFLOW_AUTOMATION_HOME = '{StateDirectory}'; Import-Module '{ModulePath}' -ErrorAction Stop");
    }

    public string StateDirectory { get; }

    /// <summary>The module built by build.ps1 Build.</summary>
    public static string ModulePath
    {
        get
        {
            var folder = AppContext.BaseDirectory;
            while (folder is not null && !File.Exists(Path.Combine(folder, "build.ps1")))
            {
                folder = Path.GetDirectoryName(folder);
            }
            return Path.Combine(folder ?? throw new InvalidOperationException("build.ps1 not found above the test folder."),
                "out", "WorkflowAutomation", "WorkflowAutomation.psd1");
        }
    }

    /// <summary>Runs a script; errors are returned, not thrown, so tests can assert on them.</summary>
    public Result Invoke(string script)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script);
        Collection<PSObject> output;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException exception)
        {
            return new Result([], [exception.ErrorRecord]);
        }
        return new Result(output, shell.Streams.Error.ToList());
    }

    public void Dispose()
    {
        runspace.Dispose();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public sealed record Result(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors);
}
