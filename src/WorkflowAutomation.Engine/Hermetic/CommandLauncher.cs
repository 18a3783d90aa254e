namespace WorkflowAutomation.Hermetic;

/// <summary>How to run a command inside (or beside) an environment.</summary>
public sealed class LaunchOptions
{
    /// <summary>The environment (name or manifest path); null runs with the caller's environment.</summary>
    public string? Environment { get; init; }
    public bool Sandbox { get; init; }
    public bool AllowNetwork { get; init; }
    public int? MaxMemoryMB { get; init; }
    public int? MaxCpuPercent { get; init; }
    public string? WorkingDirectory { get; init; }
}

/// <summary>
/// A command ready to start: the executable and arguments after the limits prefix and the
/// sandbox, and the complete environment (null: inherit the caller's). Dispose after the
/// process ended (it removes the cgroup).
/// </summary>
public sealed class PreparedLaunch : IDisposable
{
    public required string FileName { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }
    /// <summary>The complete environment when isolated; otherwise variables added to the caller's.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    /// <summary>True when <see cref="Environment"/> replaces the caller's environment instead of adding to it.</summary>
    public bool Isolated { get; init; }
    public ResourceLimits? Limits { get; init; }
    public IsolatedEnvironment? Isolation { get; init; }

    /// <summary>Why the command failed, when its limits explain it.</summary>
    public string? Explain(int exitCode) => Limits?.Explain(exitCode);

    public void Dispose() => Limits?.Dispose();
}

/// <summary>Turns a command into a <see cref="PreparedLaunch"/>: isolation, sandbox and limits.</summary>
public static class CommandLauncher
{
    public static PreparedLaunch Prepare(HermeticService? service, string file, IReadOnlyList<string> arguments, LaunchOptions options,
        Action<HermeticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        IsolatedEnvironment? isolation = null;
        if (options.Environment is { } environment)
        {
            ArgumentNullException.ThrowIfNull(service);
            var name = service.EnsureRestored(environment, progress, cancellationToken);
            isolation = service.Isolation(name);
        }
        var tools = service?.Tools ?? new HostTools();
        if (isolation is not null && !file.Contains('/') && !file.Contains('\\'))
        {
            // The child's PATH decides, not ours: the environment's wrappers and tools come first.
            file = new HostTools(tools.Pwsh, isolation.Variables["PATH"]).Find(file) ?? file;
        }
        IReadOnlyList<string> command = [file, .. arguments];
        if (options.Sandbox)
        {
            var writable = new List<string>();
            if (isolation is not null)
            {
                writable.Add(isolation.Home);
            }
            if (options.WorkingDirectory is { } folder)
            {
                writable.Add(Path.GetFullPath(folder));
            }
            command = Sandbox.Wrap(tools, writable, options.AllowNetwork, command[0], command.Skip(1));
        }
        ResourceLimits? limits = null;
        var variables = new Dictionary<string, string>(isolation?.Variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (options.MaxMemoryMB is not null || options.MaxCpuPercent is not null)
        {
            limits = ResourceLimits.Create(options.MaxMemoryMB, options.MaxCpuPercent);
            if (limits.Mechanism != LimitMechanism.None)
            {
                command = [.. ResourceLimits.Prefix, .. command];
                foreach (var (key, value) in limits.Variables)
                {
                    variables[key] = value;
                }
            }
        }
        return new PreparedLaunch
        {
            FileName = command[0],
            Arguments = command.Skip(1).ToList(),
            Environment = variables,
            Isolated = isolation is not null,
            Limits = limits,
            Isolation = isolation,
        };
    }
}
