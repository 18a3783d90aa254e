namespace WorkflowAutomation.Workflows;

/// <summary>How the steps of a workflow are scheduled (the spec's <c>execution_mode</c>).</summary>
public enum ExecutionMode
{
    /// <summary>File order; consecutive <c>parallel: true</c> steps run together. The first failure stops new steps.</summary>
    Sequential,
    /// <summary>The <c>depends_on</c> DAG, up to <c>max_parallel</c> at once. The first failure stops new steps.</summary>
    Parallel,
    /// <summary>The DAG like Parallel, but a failure does not stop the run: every step whose condition holds runs.</summary>
    Conditional,
}

/// <summary>The shell a step's command runs in.</summary>
public enum StepShell
{
    Pwsh,
    Bash,
    Sh,
    Cmd,
    Python,
}

/// <summary>How the delay between retries grows.</summary>
public enum RetryBackoff
{
    Constant,
    Linear,
    Exponential,
}

/// <summary>The type of a workflow input.</summary>
public enum InputType
{
    String,
    Number,
    Boolean,
}

/// <summary>Where a definition element was written, for diagnostics.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A parsed workflow (Import-WorkflowDefinition writes it; Invoke-Workflow runs it).</summary>
public sealed class WorkflowDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public ExecutionMode ExecutionMode { get; init; } = ExecutionMode.Sequential;
    /// <summary>Steps running at once in Parallel and Conditional modes; null means no limit beyond the host's.</summary>
    public int? MaxParallel { get; init; }
    public IReadOnlyDictionary<string, WorkflowInput> Inputs { get; init; } = new Dictionary<string, WorkflowInput>();
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Cron expression (five fields, or six with seconds) the daemon runs the workflow on.</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA or Windows time-zone id for <see cref="Schedule"/>; UTC when null.</summary>
    public string? TimeZone { get; init; }
    public required IReadOnlyList<WorkflowStep> Steps { get; init; }
    public WorkflowNotifications? Notifications { get; init; }
    /// <summary>The file the definition was read from; null for one built in code.</summary>
    public string? SourcePath { get; init; }
    /// <summary>Where the run's steps start (working_directory), relative to the file's folder; the file's folder when null (RunFolder in the engine applies the rule).</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>The hermetic environment (name or manifest path) every step runs in unless it names its own.</summary>
    public string? Environment { get; init; }

    public WorkflowStep? FindStep(string name) => Steps.FirstOrDefault(step => step.Name == name);

    public override string ToString() => Name;
}

/// <summary>A declared input (<c>inputs:</c>), given with -Parameter.</summary>
public sealed class WorkflowInput
{
    public required string Name { get; init; }
    public InputType Type { get; init; } = InputType.String;
    public object? Default { get; init; }
    public bool Required { get; init; }
    public string? Description { get; init; }
    /// <summary>The value is masked (<c>***</c>) in logs, outputs and the run store.</summary>
    public bool Secret { get; init; }
}

/// <summary>One step of a workflow.</summary>
public sealed class WorkflowStep
{
    public required string Name { get; init; }
    public required string Command { get; init; }
    public StepShell Shell { get; init; } = StepShell.Pwsh;
    /// <summary>On expiry the step's whole process tree is killed; null means no limit.</summary>
    public TimeSpan? Timeout { get; init; }
    public int RetryCount { get; init; }
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public RetryBackoff Backoff { get; init; } = RetryBackoff.Exponential;
    /// <summary>Randomises retry delays so that many runs do not retry in lockstep.</summary>
    public bool Jitter { get; init; }
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    /// <summary>In Sequential mode, consecutive parallel steps run together.</summary>
    public bool Parallel { get; init; }
    public bool ApprovalRequired { get; init; }
    /// <summary>success() (the default), failure(), always(), or comparisons on steps.&lt;name&gt;.outcome/outputs.</summary>
    public string? Condition { get; init; }
    /// <summary>Command run, in reverse order of the steps that succeeded, when the run fails or is cancelled.</summary>
    public string? Rollback { get; init; }
    public bool ContinueOnError { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }
    /// <summary>The hermetic environment (name or manifest path) the step runs in; the workflow's when null.</summary>
    public string? Environment { get; init; }
    /// <summary>Memory and CPU limits of the step's process tree; none when null.</summary>
    public StepLimits? Limits { get; init; }
    public SourceLocation? Location { get; init; }

    public override string ToString() => Name;
}

/// <summary>Where to report the end of a run.</summary>
public sealed class WorkflowNotifications
{
    /// <summary>URL that receives a POST with a JSON summary.</summary>
    public string? Webhook { get; init; }
    /// <summary>Address that receives a summary by SMTP (settings from the configuration).</summary>
    public string? Email { get; init; }
}
