namespace WorkflowAutomation.Workflows;

/// <summary>The vocabulary of a step's <c>condition</c>, shared by the validator and the executor.</summary>
public static class WorkflowConditions
{
    /// <summary>The functions a condition may call: success() is the default of every step.</summary>
    public static readonly IReadOnlyList<string> Functions = ["success", "failure", "always", "cancelled"];
}
