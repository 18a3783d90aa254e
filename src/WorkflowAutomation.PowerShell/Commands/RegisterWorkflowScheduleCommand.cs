using System.Management.Automation;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Registers the cron schedule of workflow files with the daemon.</summary>
/// <remarks>
/// The file's schedule: key (cron, five fields or six with seconds) and time_zone: key (IANA
/// or Windows id; UTC when absent) say when the daemon runs it; the file is read again at each
/// run. A run missed while the daemon was stopped runs once when it starts. Registering the
/// same workflow again replaces its schedule. Works whether or not the daemon runs.
/// </remarks>
/// <example>
/// <code>Register-WorkflowSchedule -Path ./nightly-backup.yaml</code>
/// <para>Runs the workflow on the cron expression written in the file.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Register, "WorkflowSchedule", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowSchedule))]
public sealed class RegisterWorkflowScheduleCommand : WorkflowCmdlet
{
    /// <summary>The workflow files; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    protected override void Process()
    {
        var schedules = new WorkflowSchedules(State);
        foreach (var file in ResolveFiles(Path))
        {
            try
            {
                var definition = WorkflowParser.Load(file, ParseOptions);
                if (ShouldProcess(file, $"Register the schedule '{definition.Schedule}' of workflow '{definition.Name}'"))
                {
                    WriteObject(schedules.Register(definition, file));
                }
            }
            catch (Common.WorkflowAutomationException exception)
            {
                WriteItemError(exception, file);
            }
        }
    }
}
