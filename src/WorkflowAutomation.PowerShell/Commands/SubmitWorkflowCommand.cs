using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Queues a workflow on the daemon.</summary>
/// <remarks>
/// The workflow file is read and validated now; its text is kept with the run, so editing the
/// file afterwards does not change a queued run. The run is committed to the daemon's durable
/// queue before this returns, so it is never lost, even if the daemon is killed. At most
/// MAX_PARALLEL_WORKFLOWS runs execute at once; the rest wait in order. Returns the run, Queued;
/// Wait-WorkflowRun waits for its end. When no daemon runs, the error DaemonNotRunning says how
/// to start one.
/// </remarks>
/// <example>
/// <code>Submit-Workflow -Path ./deploy.yaml -Parameter @{ version = '2.1' } | Wait-WorkflowRun</code>
/// <para>Queues a run with an input value and waits for it to end.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./nightly/*.yaml | Submit-Workflow</code>
/// <para>Queues every workflow of a folder.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Submit, "Workflow", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowRun))]
public sealed class SubmitWorkflowCommand : DaemonCmdlet, IDisposable
{
    /// <summary>The workflow files to queue; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>Values for the workflow's inputs, such as @{ version = '2.1' }.</summary>
    [Parameter(Position = 1)]
    public Hashtable? Parameter { get; set; }

    /// <summary>The folder the run's steps start in, instead of the workflow's working_directory or, without one, the workflow file's folder (the same rule as Invoke-Workflow).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    private readonly Dictionary<string, string> parameters = new(StringComparer.OrdinalIgnoreCase);
    private string? folder;
    private WorkflowAutomation.Facades.WorkflowSubmissions? submissions;

    protected override void OnBegin()
    {
        foreach (DictionaryEntry entry in Parameter ?? [])
        {
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            parameters[entry.Key.ToString()!] = value switch
            {
                bool flag => flag ? "true" : "false",
                IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value?.ToString() ?? "",
            };
        }
        folder = ResolveFolder(WorkingDirectory);
    }

    protected override void Process()
    {
        foreach (var file in ResolveFiles(Path))
        {
            if (!ShouldProcess(file, "Queue the workflow on the daemon"))
            {
                continue;
            }
            // Sent without waiting for the answer: piped files share one connection and the
            // daemon commits them together. Runs are written as their answers arrive, in order.
            submissions ??= Daemon.OpenSubmissions(Cancellation);
            Write(submissions.Submit(file, parameters, folder));
        }
    }

    protected override void OnEnd()
    {
        if (submissions is not null)
        {
            Write(submissions.Complete());
        }
    }

    private void Write(IReadOnlyList<WorkflowAutomation.Facades.SubmitOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (outcome.Error is { } error)
            {
                WriteItemError(error, outcome.File);
            }
            else
            {
                WriteObject(outcome.Run);
            }
        }
    }

    public void Dispose() => submissions?.Dispose();
}
