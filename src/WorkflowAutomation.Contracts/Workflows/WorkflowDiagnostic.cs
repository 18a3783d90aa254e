namespace WorkflowAutomation.Workflows;

/// <summary>How serious a finding is: an error stops the workflow from running, a warning does not.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>One problem found in a workflow file, with where it is and what to do about it.</summary>
public sealed class WorkflowDiagnostic
{
    public required string File { get; init; }
    /// <summary>1-based line of the offending text.</summary>
    public int Line { get; init; }
    /// <summary>1-based column of the offending text.</summary>
    public int Column { get; init; }
    public DiagnosticSeverity Severity { get; init; } = DiagnosticSeverity.Error;
    /// <summary>A stable identifier of the kind of problem (see <see cref="WorkflowDiagnosticCode"/>); scripts match on it.</summary>
    public required string Code { get; init; }
    public required string Message { get; init; }

    /// <summary>The compiler-style form editors and terminals understand: file:line:column: message.</summary>
    public override string ToString() =>
        Severity == DiagnosticSeverity.Warning ? $"{File}:{Line}:{Column}: warning: {Message}" : $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>The stable codes of <see cref="WorkflowDiagnostic.Code"/>.</summary>
public static class WorkflowDiagnosticCode
{
    /// <summary>The file is not well-formed YAML.</summary>
    public const string YamlSyntax = "YamlSyntax";
    /// <summary>The same key appears twice in one mapping.</summary>
    public const string DuplicateKey = "DuplicateKey";
    /// <summary>The file is empty or holds more than one YAML document.</summary>
    public const string InvalidDocument = "InvalidDocument";
    /// <summary>A key the workflow format does not define.</summary>
    public const string UnknownKey = "UnknownKey";
    /// <summary>A required key is absent.</summary>
    public const string MissingKey = "MissingKey";
    /// <summary>A value of the wrong kind (text where a number is expected, a list where text is expected…).</summary>
    public const string InvalidType = "InvalidType";
    /// <summary>A number outside the range a key allows.</summary>
    public const string OutOfRange = "OutOfRange";
    /// <summary>A value the key does not accept (an empty name, a malformed URL…).</summary>
    public const string InvalidValue = "InvalidValue";
    /// <summary>An execution_mode other than sequential, parallel or conditional.</summary>
    public const string InvalidExecutionMode = "InvalidExecutionMode";
    /// <summary>A shell other than pwsh, bash, sh, cmd or python.</summary>
    public const string UnknownShell = "UnknownShell";
    /// <summary>A backoff other than constant, linear or exponential.</summary>
    public const string InvalidBackoff = "InvalidBackoff";
    /// <summary>An input type other than string, number or boolean.</summary>
    public const string InvalidInputType = "InvalidInputType";
    /// <summary>An input default that does not match its type.</summary>
    public const string InvalidDefault = "InvalidDefault";
    /// <summary>A schedule that is not a valid cron expression.</summary>
    public const string InvalidCron = "InvalidCron";
    /// <summary>A time_zone this machine does not know.</summary>
    public const string InvalidTimeZone = "InvalidTimeZone";
    /// <summary>An environment variable name that shells cannot use.</summary>
    public const string InvalidEnvironmentName = "InvalidEnvironmentName";
    /// <summary>Two steps with the same name.</summary>
    public const string DuplicateStep = "DuplicateStep";
    /// <summary>depends_on names a step that does not exist.</summary>
    public const string UnknownDependency = "UnknownDependency";
    /// <summary>Steps that depend on each other in a circle.</summary>
    public const string DependencyCycle = "DependencyCycle";
    /// <summary>In sequential mode, a step that depends on a step further down the file.</summary>
    public const string DependencyOrder = "DependencyOrder";
    /// <summary>${{ inputs.x }} where x is not declared under inputs.</summary>
    public const string UndeclaredInput = "UndeclaredInput";
    /// <summary>steps.x in a condition or expression where x is not a step.</summary>
    public const string UnknownStepReference = "UnknownStepReference";
    /// <summary>A function in an expression that expressions do not define.</summary>
    public const string UnknownFunction = "UnknownFunction";
    /// <summary>A condition or ${{ }} expression that does not parse, or a '${{' never closed.</summary>
    public const string InvalidExpression = "InvalidExpression";
    /// <summary>The file passes a bound of WorkflowLimits: its size, or its YAML nodes with aliases expanded.</summary>
    public const string LimitExceeded = "LimitExceeded";
    /// <summary>Two step names that read the same once made environment-safe (a-b and a.b): their outputs would mix.</summary>
    public const string StepNameCollision = "StepNameCollision";
    /// <summary>
    /// Warning (an error in strict mode): an input, step output or env value is pasted into a
    /// command or rollback, where a crafted value runs as code. Read it from the environment or use quote().
    /// </summary>
    public const string UnsafeInterpolation = "UnsafeInterpolation";
    /// <summary>Warning: a retry setting without retry_count has no effect.</summary>
    public const string IneffectiveSetting = "IneffectiveSetting";
    /// <summary>Warning: a scheduled workflow has a required input without a default.</summary>
    public const string ScheduledInputWithoutDefault = "ScheduledInputWithoutDefault";
}
