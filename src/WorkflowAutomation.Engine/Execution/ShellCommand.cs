using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>The executable and arguments that run a command text in a given shell.</summary>
public static class ShellCommand
{
    /// <summary>
    /// Options follow what GitHub Actions users expect: bash fails on the first failing
    /// command and on a failing pipe stage; no profile or rc files are read.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Arguments) For(StepShell shell, string command) => shell switch
    {
        StepShell.Bash => ("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", command]),
        StepShell.Sh => ("sh", ["-e", "-c", command]),
        StepShell.Cmd => ("cmd.exe", ["/D", "/E:ON", "/V:OFF", "/S", "/C", command]),
        StepShell.Python => (PythonExecutable, ["-c", command]),
        StepShell.Pwsh => (PwshExecutable, ["-NoProfile", "-NonInteractive", "-NoLogo", "-Command", PwshScript.Wrap(command)]),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "Unknown shell."),
    };

    /// <summary>python3 where it exists (most Linux and macOS systems), else python.</summary>
    public static string PythonExecutable { get; } = OnPath("python3") ?? "python";

    /// <summary>
    /// pwsh for steps run as a process (no PowerShell host at hand): WORKFLOW_AUTOMATION_PWSH,
    /// else pwsh on PATH, else the pwsh next to the running PowerShell.
    /// </summary>
    public static string PwshExecutable { get; } =
        Environment.GetEnvironmentVariable("WORKFLOW_AUTOMATION_PWSH") is { Length: > 0 } configured ? configured
        : OnPath(OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh") ?? "pwsh";

    /// <summary>The full path of an executable found on PATH, or null.</summary>
    public static string? OnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>How a pwsh step's text is wrapped, in a runspace or in a pwsh process alike.</summary>
public static class PwshScript
{
    /// <summary>
    /// As in GitHub Actions: errors stop the step, and a native command's non-zero exit
    /// code at the end becomes the step's exit code. (A variable test rather than
    /// Test-Path: a cmdlet call would cost every step about a millisecond.)
    /// </summary>
    public static string Wrap(string command) =>
        "$ErrorActionPreference = 'Stop'\n" + command +
        "\nif ($null -ne $LASTEXITCODE) { exit $LASTEXITCODE }\n";
}
