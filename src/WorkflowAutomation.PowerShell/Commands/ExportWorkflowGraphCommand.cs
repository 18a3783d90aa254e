using System.Management.Automation;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Draws a workflow's steps and their order as Mermaid or Graphviz DOT text.</summary>
/// <remarks>
/// In sequential mode the edges follow file order, and consecutive parallel steps form a
/// group that runs together; in parallel and conditional modes the edges are the depends_on
/// DAG. Steps that wait for an approval are drawn as highlighted hexagons; a step with a
/// condition shows it ("if: ...") and its incoming edges are dashed. Writes one string per
/// workflow: paste Mermaid into Markdown, or render DOT with Graphviz (dot -Tsvg).
/// An invalid file writes a WorkflowYamlInvalid error listing its problems.
/// </remarks>
/// <example>
/// <code>Export-WorkflowGraph ./examples/deployment_workflow.yaml -Format Mermaid</code>
/// <para>Writes a Mermaid flowchart of the deployment workflow.</para>
/// </example>
/// <example>
/// <code>Export-WorkflowGraph ./deploy.yaml -Format Dot | dot -Tsvg -o deploy.svg</code>
/// <para>Renders the graph to an SVG image with Graphviz.</para>
/// </example>
/// <example>
/// <code>Import-WorkflowDefinition ./nightly.yaml | Export-WorkflowGraph | Set-Content nightly.mmd</code>
/// <para>Draws a definition already read into the session.</para>
/// </example>
[Cmdlet(VerbsData.Export, "WorkflowGraph", DefaultParameterSetName = PathSet)]
[OutputType(typeof(string))]
public sealed class ExportWorkflowGraphCommand : WorkflowFileCmdlet
{
    /// <summary>A workflow read with Import-WorkflowDefinition, instead of a file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Definition", ValueFromPipeline = true)]
    public WorkflowDefinition? Definition { get; set; }

    /// <summary>The text format: Mermaid (the default) or Dot for Graphviz.</summary>
    [Parameter(Position = 1)]
    public GraphFormat Format { get; set; } = GraphFormat.Mermaid;

    protected override void Process()
    {
        if (Definition is not null)
        {
            WriteObject(WorkflowGraph.Render(Definition, Format));
            return;
        }
        foreach (var file in InputFiles())
        {
            try
            {
                WriteObject(WorkflowGraph.Render(WorkflowParser.Load(file), Format));
            }
            catch (Exception exception) when (exception is WorkflowDefinitionException or IOException or UnauthorizedAccessException)
            {
                WriteItemError(exception, file);
            }
        }
    }
}
