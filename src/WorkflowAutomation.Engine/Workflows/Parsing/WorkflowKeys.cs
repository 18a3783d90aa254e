namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>The keys of the workflow format (PRODUCT.md, "Workflow YAML"), spelled as users write them.</summary>
internal static class WorkflowKeys
{
    public static readonly string[] Workflow =
        ["name", "description", "execution_mode", "max_parallel", "inputs", "env", "schedule", "time_zone", "steps", "notifications", "strict", "working_directory", "environment"];

    public static readonly string[] WorkflowRequired = ["name", "steps"];

    public static readonly string[] Step =
    [
        "name", "command", "shell", "timeout", "retry_count", "retry_delay", "backoff", "jitter", "depends_on", "parallel",
        "approval_required", "condition", "rollback", "continue_on_error", "env", "working_directory",
        "environment", "limits",
    ];

    public static readonly string[] Limits = ["memory_mb", "cpu_percent"];

    public static readonly string[] StepRequired = ["name", "command"];

    public static readonly string[] Input = ["type", "default", "required", "description", "secret"];

    public static readonly string[] Notifications = ["webhook", "email"];
}
