using System.Collections.Concurrent;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// The host's own tools that environments build on (node, npm, python, dotnet, pwsh, git),
/// found once on the caller's PATH and called by absolute path afterwards: inside an
/// environment PATH is minimal and HOME is elsewhere, which would break version shims.
/// </summary>
public sealed class HostTools
{
    private readonly ConcurrentDictionary<string, string?> versions = new();
    private readonly Lazy<string?> python;

    public HostTools(string? pwsh = null, string? path = null)
    {
        SearchPath = path ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        Pwsh = pwsh ?? Environment.GetEnvironmentVariable("WORKFLOW_AUTOMATION_PWSH") ?? Find(OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        python = new Lazy<string?>(ResolvePython);
    }

    public string SearchPath { get; }

    public string? Pwsh { get; }

    public string? Node => Find("node");

    public string? Npm => Find("npm");

    public string? Git => Find("git");

    public string? Dotnet => Find(OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    /// <summary>The real interpreter (sys.executable), not a pyenv or asdf shim.</summary>
    public string? Python => python.Value;

    public string Require(string? tool, string name, string install) =>
        tool ?? throw new HermeticException(ErrorIds.HermeticToolMissing, ErrorKind.ObjectNotFound,
            $"'{name}' was not found on PATH. {install}");

    public string? Find(string name)
    {
        foreach (var folder in SearchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>A tool's version (first line of its --version), asked once per process.</summary>
    public string? Version(string tool, IReadOnlyDictionary<string, string> environment) =>
        versions.GetOrAdd(tool, _ =>
        {
            try
            {
                var result = ToolRunner.Run(tool, ["--version"], environment, Path.GetTempPath(), CancellationToken.None);
                return result.ExitCode == 0 ? result.Output.Split('\n')[0].Trim() : null;
            }
            catch (HermeticException)
            {
                return null;
            }
        });

    private string? ResolvePython()
    {
        foreach (var candidate in new[] { "python3", "python" })
        {
            if (Find(candidate) is not { } found)
            {
                continue;
            }
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
            }
            try
            {
                var result = ToolRunner.Run(found, ["-c", "import sys; print(sys.executable)"], environment, Path.GetTempPath(), CancellationToken.None);
                var executable = result.Output.Trim();
                if (result.ExitCode == 0 && File.Exists(executable))
                {
                    return executable;
                }
            }
            catch (HermeticException)
            {
            }
        }
        return null;
    }
}
