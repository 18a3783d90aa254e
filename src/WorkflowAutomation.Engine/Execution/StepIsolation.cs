using WorkflowAutomation.Hermetic;
using WorkflowAutomation.Processes;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Runs a step that names a hermetic environment or has limits: its shell runs as a process
/// (pwsh too, since a runspace cannot be isolated or limited) with the environment's
/// variables only, plus the step's own, under a cgroup or rlimit when limits are set.
/// </summary>
internal static class StepIsolation
{
    public static bool Applies(WorkflowStep step, WorkflowDefinition definition) =>
        step.Limits is not null || (step.Environment ?? definition.Environment) is not null;

    /// <summary>The environment a step runs in: a name, or a manifest path relative to the workflow file.</summary>
    public static string? EnvironmentOf(WorkflowStep step, WorkflowDefinition definition)
    {
        var environment = step.Environment ?? definition.Environment;
        if (environment is null || HermeticNames.IsValid(environment) && !environment.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return environment;
        }
        var folder = definition.SourcePath is { } source ? Path.GetDirectoryName(Path.GetFullPath(source))! : System.Environment.CurrentDirectory;
        return Path.GetFullPath(Path.Combine(folder, environment));
    }

    public static async Task<(ProcessResult Result, string? Explanation)> RunAsync(WorkflowStep step, WorkflowDefinition definition, StepShell shell,
        string command, IReadOnlyDictionary<string, string?> variables, string? directory, Action<OutputLine> sink, CancellationToken cancellationToken)
    {
        var environment = EnvironmentOf(step, definition);
        var (file, arguments) = ShellCommand.For(shell, command);
        if (environment is not null && shell is StepShell.Python or StepShell.Bash or StepShell.Sh)
        {
            // Found on the environment's PATH: its venv's python, not the host's.
            file = shell == StepShell.Python ? "python3" : file;
        }
        var service = environment is null ? null : new HermeticService(StateDirectory.Resolve().HermeticFolder);
        var options = new LaunchOptions
        {
            Environment = environment,
            MaxMemoryMB = step.Limits?.MemoryMb,
            MaxCpuPercent = step.Limits?.CpuPercent,
            WorkingDirectory = directory,
        };
        using var launch = await Task.Run(() => CommandLauncher.Prepare(service, file, arguments, options, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var note in launch.Limits?.Notes ?? [])
        {
            sink(new OutputLine(OutputStream.Error, note));
        }
        var merged = launch.Environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            merged[name] = value;
        }
        var result = await ProcessRunner.RunAsync(new ProcessRequest
        {
            FileName = launch.FileName,
            Arguments = launch.Arguments,
            Environment = merged,
            InheritEnvironment = !launch.Isolated,
            WorkingDirectory = directory,
            Timeout = step.Timeout,
        }, sink, cancellationToken).ConfigureAwait(false);
        var explanation = result.TimedOut || result.Cancelled ? null : launch.Explain(result.ExitCode);
        return (result, explanation);
    }
}

/// <summary>What validation and -WhatIf say about steps that name an environment or limits.</summary>
public static class StepEnvironmentChecks
{
    public const string UnknownEnvironment = "UnknownEnvironment";

    /// <summary>An error for each step whose environment is neither a registered name nor a manifest on disk.</summary>
    public static IEnumerable<WorkflowDiagnostic> Check(WorkflowDefinition definition, string hermeticRoot)
    {
        var service = new HermeticService(hermeticRoot);
        var file = definition.SourcePath ?? "(workflow)";
        var folder = definition.SourcePath is { } source ? Path.GetDirectoryName(Path.GetFullPath(source)) : null;
        foreach (var step in definition.Steps)
        {
            if ((step.Environment ?? definition.Environment) is not { } environment || service.Exists(environment, folder))
            {
                continue;
            }
            var known = HermeticRegistration.All(service.Paths).Select(r => r.Name).ToList();
            yield return new WorkflowDiagnostic
            {
                File = file,
                Line = step.Location?.Line ?? 1,
                Column = step.Location?.Column ?? 1,
                Code = UnknownEnvironment,
                Message = $"Step '{step.Name}' runs in the hermetic environment '{environment}', which is neither a registered environment nor a manifest (hermetic.json) relative to the workflow. " +
                    (known.Count > 0 ? $"Known environments: {string.Join(", ", known)}. " : string.Empty) +
                    "Create it with New-HermeticEnvironment, or restore it with Restore-HermeticEnvironment -Path <folder>.",
            };
        }
    }

    /// <summary>' in environment 'web', limits 64 MB, 50% CPU' for -WhatIf; empty when neither applies.</summary>
    public static string Describe(WorkflowStep step, WorkflowDefinition definition)
    {
        var text = (step.Environment ?? definition.Environment) is { } environment ? $" in hermetic environment '{environment}'" : string.Empty;
        if (step.Limits is { } limits)
        {
            var parts = new List<string>();
            if (limits.MemoryMb is { } memory)
            {
                parts.Add($"{memory} MB");
            }
            if (limits.CpuPercent is { } cpu)
            {
                parts.Add($"{cpu}% CPU");
            }
            text += $", limits {string.Join(", ", parts)}";
        }
        return text;
    }
}
