namespace WorkflowAutomation.Workflows;

/// <summary>The text formats a workflow graph is drawn in.</summary>
public enum GraphFormat
{
    /// <summary>A Mermaid flowchart (renders in GitHub, GitLab and most Markdown viewers).</summary>
    Mermaid,
    /// <summary>Graphviz DOT (render with: dot -Tsvg).</summary>
    Dot,
}
