namespace WorkflowAutomation.Workflows;

/// <summary>How strictly a workflow is validated, beyond what its own file says.</summary>
public sealed class WorkflowParseOptions
{
    public static readonly WorkflowParseOptions Default = new();

    /// <summary>
    /// When true, an input, step output or env value pasted into a command or rollback with
    /// <c>${{ }}</c> is an error rather than a warning (the configuration key
    /// STRICT_INTERPOLATION; a workflow can also ask for it with <c>strict: true</c>, but not
    /// turn it off). The default value is false.
    /// </summary>
    public bool StrictInterpolation { get; init; }
}
