namespace WorkflowAutomation.Chaos;

/// <summary>
/// A declared experiment, the Chaos Toolkit model: a steady-state hypothesis checked before
/// and after, a method (faults, actions, probes and pauses, in order or in the background),
/// rollbacks that always run, and safeguards checked in the background that halt it.
/// </summary>
public sealed class ChaosExperiment
{
    public required string Title { get; init; }
    public string? Description { get; init; }
    public required string File { get; init; }
    public string HypothesisTitle { get; init; } = "Steady state";
    public List<ExperimentProbe> Hypothesis { get; init; } = [];
    public List<ExperimentActivity> Method { get; init; } = [];
    public List<ExperimentAction> Rollbacks { get; init; } = [];
    public List<ExperimentProbe> Safeguards { get; init; } = [];
    /// <summary>How often safeguards are checked. <value>The default value is 1 second.</value></summary>
    public TimeSpan SafeguardInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>What a probe checks.</summary>
public enum ProbeKind
{
    Http,
    Command,
    Metric,
    Workflow,
}

/// <summary>One check of the steady state or of a safeguard.</summary>
public sealed class ExperimentProbe
{
    public required string Name { get; init; }
    public ProbeKind Kind { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    // http
    public string? Url { get; init; }
    /// <summary>Expected HTTP status. <value>The default value is 200.</value></summary>
    public int Status { get; init; } = 200;
    public TimeSpan? MaxLatency { get; init; }

    // command
    public string? Command { get; init; }
    public string Shell { get; init; } = "sh";
    public int ExitCode { get; init; }
    public string? OutputMatches { get; init; }

    // metric
    public string? Metric { get; init; }
    public string Aggregate { get; init; } = "avg";
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
    public double? Expect { get; init; }
    public double Tolerance { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }

    // workflow
    public string? WorkflowPath { get; init; }
    public string ExpectStatus { get; init; } = "Succeeded";
}

/// <summary>A command run by the method or as a rollback.</summary>
public sealed class ExperimentAction
{
    public required string Name { get; init; }
    public required string Command { get; init; }
    public string Shell { get; init; } = "sh";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What one item of the method does.</summary>
public enum ActivityKind
{
    Fault,
    Action,
    Probe,
    Pause,
}

/// <summary>One item of an experiment's method.</summary>
public sealed class ExperimentActivity
{
    public ActivityKind Kind { get; init; }
    public ChaosFaultOptions? Fault { get; init; }
    public ExperimentAction? Action { get; init; }
    public ExperimentProbe? Probe { get; init; }
    public TimeSpan Pause { get; init; }
    /// <summary>Runs alongside what follows instead of before it (Chaos Toolkit's background).</summary>
    public bool Background { get; init; }
    public int Line { get; init; }
}
