using System.Diagnostics;
using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Waits until daemon runs end and returns them.</summary>
/// <remarks>
/// Blocks until each run has ended for good (Succeeded, Failed or Cancelled; a run
/// interrupted by a daemon restart is resumed and waited for). A run that already ended is
/// returned at once from the state store, even when no daemon runs. With -Timeout, a run
/// still going when the time is up is reported with the error WaitTimeout and not returned.
/// Ctrl+C stops waiting; the runs go on.
/// </remarks>
/// <example>
/// <code>$run = Submit-Workflow ./build.yaml; Wait-WorkflowRun -Id $run.Id -Timeout 600</code>
/// <para>Waits up to ten minutes for a queued run.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "WorkflowRun")]
[OutputType(typeof(WorkflowRun))]
public sealed class WaitWorkflowRunCommand : DaemonCmdlet
{
    /// <summary>The ids of the runs to wait for.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    public string[] Id { get; set; } = [];

    /// <summary>Seconds to wait at most for each run; no limit when omitted.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void Process()
    {
        foreach (var id in Id)
        {
            // The daemon answers once its bookkeeping (queue, breakers, metrics) is done too;
            // without one, a run that ended is still read from the state store.
            var client = DaemonClient.TryConnect(State);
            if (client is null)
            {
                WriteObject(Finished(id) ?? throw new DaemonNotRunningException(State.Root));
                continue;
            }
            using var connection = client;
            var clock = Stopwatch.StartNew();
            var limit = Timeout < 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(Timeout);
            while (true)
            {
                var left = limit - clock.Elapsed;
                var chunk = Math.Max(0, Math.Min(10, left.TotalSeconds));
                WaitResponse answer;
                try
                {
                    answer = client.Send<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = id, TimeoutSeconds = chunk }, Cancellation)!;
                }
                catch (WorkflowAutomationException notFound) when (notFound.ErrorId == "RunNotFound")
                {
                    WriteItemError(notFound, id);
                    break;
                }
                if (answer.Run is null)
                {
                    WriteItemError(new RunNotFoundException(id), id);
                    break;
                }
                if (answer.Ended)
                {
                    WriteObject(answer.Run);
                    break;
                }
                if (clock.Elapsed >= limit)
                {
                    WriteItemError(new WorkflowAutomationException("WaitTimeout", ErrorKind.OperationTimeout,
                        $"Run {id} is still {answer.Run.Status} after {Timeout} s. It goes on; wait again or stop it with Stop-WorkflowRun -Id {id}."), id);
                    break;
                }
                var stepsDone = answer.Run.Steps.Count(step => step.Status is not (StepStatus.Pending or StepStatus.Running or StepStatus.WaitingForApproval));
                WriteProgress(new ProgressRecord(1, $"Waiting for run {id}", $"{answer.Run.Status}: {stepsDone} of {answer.Run.Steps.Count} steps done")
                {
                    PercentComplete = answer.Run.Steps.Count == 0 ? 0 : 100 * stepsDone / answer.Run.Steps.Count,
                });
            }
        }
    }

    /// <summary>A run that ended for good is in the state store whether or not a daemon runs.</summary>
    private WorkflowRun? Finished(string id)
    {
        if (!File.Exists(State.RunsDatabase))
        {
            return null;
        }
        using var store = SqliteRunStore.Open(State);
        return store.GetRun(id) is { Status: RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled } run ? run : null;
    }
}
