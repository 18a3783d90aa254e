using System.Management.Automation;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Reads and validates workflow files into WorkflowDefinition objects.</summary>
/// <remarks>
/// Each valid file becomes a WorkflowDefinition (name, execution mode, inputs, steps with
/// their dependencies, retries, timeouts, conditions and rollbacks), ready for
/// Invoke-Workflow -Definition or Export-WorkflowGraph. A file with errors writes a
/// non-terminating error (ErrorId WorkflowYamlInvalid, category InvalidData) whose message
/// lists every problem as file:line:column: message, and the next file is read. Warnings
/// go to the warning stream.
/// </remarks>
/// <example>
/// <code>$workflow = Import-WorkflowDefinition ./examples/deployment_workflow.yaml
/// $workflow.Steps | Format-Table Name, DependsOn, ApprovalRequired</code>
/// <para>Reads a workflow and shows its steps.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./workflows -Recurse -Include *.yaml, *.yml | Import-WorkflowDefinition -ErrorAction Continue</code>
/// <para>Reads every workflow under a folder; each invalid one reports its errors and the rest are still read.</para>
/// </example>
[Cmdlet(VerbsData.Import, "WorkflowDefinition", DefaultParameterSetName = PathSet)]
[OutputType(typeof(WorkflowDefinition))]
public sealed class ImportWorkflowDefinitionCommand : WorkflowFileCmdlet
{
    protected override void Process()
    {
        foreach (var file in InputFiles())
        {
            try
            {
                var result = WorkflowParser.ParseFile(file, ParseOptions);
                foreach (var warning in result.Warnings)
                {
                    WriteWarning(warning.ToString());
                }
                WriteObject(result.Definition ?? throw new WorkflowDefinitionException(result));
            }
            catch (Exception exception) when (exception is WorkflowDefinitionException or IOException or UnauthorizedAccessException)
            {
                WriteItemError(exception, file);
            }
        }
    }
}
