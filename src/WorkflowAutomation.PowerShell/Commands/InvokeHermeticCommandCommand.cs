using System.Collections.Concurrent;
using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Hermetic;
using WorkflowAutomation.Processes;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Runs a command or script block inside a hermetic environment, optionally sandboxed and limited.</summary>
/// <remarks>
/// The command runs as a child process with only the environment's variables: an allow-list
/// from this session (locale, terminal, proxies), HOME, TMPDIR and every manager's cache and
/// config inside the environment, and a PATH with its tool wrappers and tools first and a
/// minimal system path. A -ScriptBlock runs in a child pwsh whose PSModulePath starts with the
/// environment's modules; a -Command string runs in /bin/sh (cmd.exe on Windows). Output lines
/// are written as strings; a non-zero exit code is an error (HermeticCommandFailed) and sets
/// $LASTEXITCODE. -Sandbox runs it under bubblewrap: the host read-only, the environment's HOME
/// and the working folder writable, no network unless -AllowNetwork. -MaxMemoryMB and
/// -MaxCpuPercent apply a cgroup (v2, else v1) where one is writable, else an rlimit. A locked
/// environment whose tree is missing is restored (frozen) first.
/// </remarks>
/// <example>
/// <code>Invoke-HermeticCommand -Name web -Command 'node -e "console.log(require(\"express/package.json\").version)"'</code>
/// <para>Prints the version of express installed in the environment 'web'.</para>
/// </example>
/// <example>
/// <code>Invoke-HermeticCommand tools -ScriptBlock { param($n) python -c "print($n * 2)" } -ArgumentList 21</code>
/// <para>Runs a script block in pwsh inside the environment with an argument.</para>
/// </example>
/// <example>
/// <code>Invoke-HermeticCommand web -Command 'npm test' -Sandbox -MaxMemoryMB 512 -MaxCpuPercent 50</code>
/// <para>Runs the tests without network, with the host read-only, in 512 MB and half a CPU.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "HermeticCommand", DefaultParameterSetName = CommandSet)]
[OutputType(typeof(string))]
public sealed class InvokeHermeticCommandCommand : HermeticCmdlet
{
    private const string CommandSet = "Command";
    private const string ScriptBlockSet = "ScriptBlock";

    /// <summary>The environment: a name, a manifest file or a folder holding hermetic.json.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HermeticEnvironmentCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>A command line for /bin/sh (cmd.exe on Windows).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = CommandSet)]
    public string Command { get; set; } = string.Empty;

    /// <summary>A script block run by pwsh inside the environment.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>Arguments for the script block ($args or its param block).</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public object[] ArgumentList { get; set; } = [];

    /// <summary>Runs under bubblewrap: host read-only, environment and working folder writable, no network.</summary>
    [Parameter]
    public SwitchParameter Sandbox { get; set; }

    /// <summary>With -Sandbox, keeps the network.</summary>
    [Parameter]
    public SwitchParameter AllowNetwork { get; set; }

    /// <summary>Memory limit of the whole process tree, in MB.</summary>
    [Parameter]
    [ValidateRange(4, 1048576)]
    public int? MaxMemoryMB { get; set; }

    /// <summary>CPU limit in percent of one core (200 is two cores).</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int? MaxCpuPercent { get; set; }

    /// <summary>Where the command runs. The default is the current folder.</summary>
    [Parameter]
    public string? WorkingDirectory { get; set; }

    protected override void Process()
    {
        var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(WorkingDirectory ?? ".");
        var options = new LaunchOptions
        {
            Environment = Name,
            Sandbox = Sandbox,
            AllowNetwork = AllowNetwork,
            MaxMemoryMB = MaxMemoryMB,
            MaxCpuPercent = MaxCpuPercent,
            WorkingDirectory = directory,
        };
        string file;
        List<string> arguments;
        string? script = null;
        if (ScriptBlock is not null)
        {
            var isolation = Service.Isolation(Service.EnsureRestored(Name, Progress, Cancellation));
            script = System.IO.Path.Combine(isolation.Variables["TMPDIR"], $"invoke-{Guid.NewGuid():n}.ps1");
            WorkflowAutomation.Platform.OwnerOnly.WriteScratchFile(script, ScriptBlock.ToString());
            file = "pwsh";
            arguments = ["-NoProfile", "-NonInteractive", "-File", script, .. ArgumentList.Select(a => a?.ToString() ?? string.Empty)];
        }
        else
        {
            file = OperatingSystem.IsWindows() ? "cmd.exe" : "/bin/sh";
            arguments = OperatingSystem.IsWindows() ? ["/d", "/c", Command] : ["-c", Command];
        }
        try
        {
            using var launch = CommandLauncher.Prepare(Service, file, arguments, options, Progress, Cancellation);
            foreach (var note in launch.Limits?.Notes ?? [])
            {
                WriteWarning(note);
            }
            var exitCode = Run(launch, directory);
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
            if (exitCode != 0)
            {
                WriteError(ErrorRecords.From(new HermeticException(ErrorIds.HermeticCommandFailed, ErrorKind.InvalidResult,
                    launch.Explain(exitCode) ?? $"The command exited with code {exitCode} inside the environment '{Name}'."), Name));
            }
        }
        finally
        {
            if (script is not null)
            {
                File.Delete(script);
            }
        }
    }

    /// <summary>Runs the process, writing its lines on this thread as they come.</summary>
    private int Run(PreparedLaunch launch, string directory)
    {
        using var lines = new BlockingCollection<OutputLine>();
        var request = new ProcessRequest
        {
            FileName = launch.FileName,
            Arguments = launch.Arguments,
            Environment = launch.Environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value),
            InheritEnvironment = !launch.Isolated,
            WorkingDirectory = directory,
        };
        var running = Task.Run(async () =>
        {
            try
            {
                return await ProcessRunner.RunAsync(request, lines.Add, Cancellation).ConfigureAwait(false);
            }
            finally
            {
                lines.CompleteAdding();
            }
        });
        foreach (var line in lines.GetConsumingEnumerable())
        {
            if (line.Stream == OutputStream.Error)
            {
                // Like a native command's stderr: shown, not an error record.
                Host.UI.WriteErrorLine(line.Text);
            }
            else
            {
                WriteObject(line.Text);
            }
        }
        var result = running.GetAwaiter().GetResult();
        if (result.Cancelled)
        {
            throw new PipelineStoppedException();
        }
        return result.ExitCode;
    }
}
