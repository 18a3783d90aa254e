namespace WorkflowAutomation.Workflows;

/// <summary>The vocabulary of conditions and <c>${{ }}</c> expressions, as the validator knows it.</summary>
public static class WorkflowConditions
{
    /// <summary>
    /// The functions an expression may call (names match case-insensitively): the status
    /// functions (success() is the default condition of every step) and the text tests
    /// that Execution.Expression evaluates, and quote(), which quotes a value for the step's shell.
    /// </summary>
    public static readonly IReadOnlyList<string> Functions = ["success", "failure", "always", "cancelled", "contains", "startsWith", "endsWith", "quote"];
}
