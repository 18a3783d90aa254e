using System.Collections.Concurrent;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// The operations that change the daemon's work (cancel, answer, reset, restart), shared by the
/// IPC protocol and the daemon's components, and the stores those components read.
/// </summary>
public sealed partial class DaemonHost
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> restarts = new(StringComparer.Ordinal);

    /// <summary>The run store the daemon records into.</summary>
    internal IRunStore Runs => runStore ?? throw new InvalidOperationException("The daemon is not running.");

    internal ScheduleStore Schedules => schedules ?? throw new InvalidOperationException("The daemon is not running.");

    internal DaemonApprovalGate Approvals => approvals ?? throw new InvalidOperationException("The daemon is not running.");

    /// <summary>The daemon's metric store, or null before it is open.</summary>
    internal MetricStore? Metrics => metrics?.Store;

    /// <summary>The latest health report, or null before the first round.</summary>
    internal HealthReport? CurrentHealth => health?.Current;

    internal WorkflowConfiguration CurrentConfiguration => Configuration;

    /// <summary>Cancels a queued or running run (Stop-WorkflowRun through the daemon).</summary>
    internal WorkflowRun? CancelRun(string runId, string by)
    {
        if (restarts.TryGetValue(runId, out var restart))
        {
            restart.Cancel();
            Log.Info($"Run {runId} cancelled by {by}");
            return runStore!.GetRun(runId);
        }
        if (runStore!.GetRun(runId) is null)
        {
            throw new RunNotFoundException(runId);
        }
        if (!dispatcher!.Cancel(runId))
        {
            throw new WorkflowAutomationException(ErrorIds.RunNotActive, ErrorKind.InvalidOperation,
                $"Run {runId} is neither queued nor running on the daemon; Get-WorkflowRun -Id {runId} shows how it ended.");
        }
        if (queue!.Find(runId) is { State: QueueState.Finished } && runStore!.GetRun(runId) is { Status: RunStatus.Queued } queued)
        {
            admissions?.TakeDefinition(runId);
            queued.Status = RunStatus.Cancelled;
            queued.Error = "Cancelled before it started.";
            queued.EndTime = time.GetUtcNow();
            foreach (var step in queued.Steps)
            {
                step.Status = StepStatus.Skipped;
                runStore.SaveStep(step);
            }
            runStore.UpdateRun(queued);
        }
        Log.Info($"Run {runId} cancelled by {by}");
        return runStore!.GetRun(runId);
    }

    /// <summary>Approves or denies a gate (Approve- and Deny-WorkflowStep); returns the step once it moved on.</summary>
    internal async Task<WorkflowStepRun?> AnswerAsync(AnswerRequest answer)
    {
        approvals!.Answer(answer.RunId, answer.Step, answer.Approve, answer.AnsweredBy, answer.Reason);
        Log.Info($"Step '{answer.Step}' of run {answer.RunId} {(answer.Approve ? "approved" : "denied")}{(answer.AnsweredBy is null ? "" : " by " + answer.AnsweredBy)}");
        // The run picks the answer up at once; a moment later its record shows the step moving on.
        for (var attempt = 0; attempt < 20 && runStore!.GetRun(answer.RunId)?.Steps.FirstOrDefault(s => s.Name == answer.Step) is { Status: StepStatus.WaitingForApproval }; attempt++)
        {
            await Task.Delay(25).ConfigureAwait(false);
        }
        return runStore!.GetRun(answer.RunId)?.Steps.FirstOrDefault(step => step.Name == answer.Step);
    }

    /// <summary>Closes breakers by name, wildcards allowed (Reset-CircuitBreaker).</summary>
    internal IReadOnlyList<CircuitBreakerInfo> ResetBreakers(string name)
    {
        var reset = Breakers.Reset(name);
        if (reset.Count == 0)
        {
            throw new CircuitBreakerNotFoundException(name, Breakers.List().Select(breaker => breaker.Name));
        }
        Log.Info($"Circuit breaker(s) reset: {string.Join(", ", reset.Select(breaker => breaker.Name))}");
        return reset;
    }

    /// <summary>
    /// Restart-WorkflowRun -FromFailedStep run by the daemon: the recorded definition and
    /// parameters, steps that succeeded reused. Returns the new run once it is recorded.
    /// </summary>
    internal async Task<WorkflowRun> RestartFromFailedStepAsync(string runId)
    {
        var previous = runStore!.GetRun(runId);
        var definition = previous is null ? null : runStore.GetDefinition(previous.Id);
        if (previous is null || definition is null)
        {
            throw new RunNotFoundException(runId);
        }
        if (previous.Status is RunStatus.Queued or RunStatus.Running or RunStatus.WaitingForApproval)
        {
            throw new WorkflowAutomationException(ErrorIds.RunNotFinished, ErrorKind.InvalidOperation,
                $"Run {runId} is still {previous.Status}; it can be restarted once it has ended.");
        }
        var newId = WorkflowExecutor.NewRunId(time);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(schedulerStop.Token);
        restarts[newId] = cancellation;
        var work = Task.Run(async () =>
        {
            try
            {
                var run = await executor!.RunAsync(definition, new RunRequest
                {
                    RunId = newId,
                    Origin = RunOrigin,
                    RestartOf = previous,
                    ReuseSucceededSteps = true,
                    Parameters = previous.Parameters.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.OrdinalIgnoreCase),
                    WorkingDirectory = previous.SourcePath is { } source ? Path.GetDirectoryName(source) : null,
                }, cancellation.Token).ConfigureAwait(false);
                RecordRun(run);
            }
            catch (Exception exception)
            {
                Log.Error($"Restart {newId} of run {runId} failed: {exception.Message}");
            }
            finally
            {
                restarts.TryRemove(newId, out _);
                cancellation.Dispose();
            }
        });
        Log.Info($"Run {runId} restarted from its failed step as {newId}");
        // Returned once the new run is on record, so a caller can open it straight away.
        for (var i = 0; i < 200 && !work.IsCompleted && runStore.GetRun(newId) is null; i++)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        return runStore.GetRun(newId) ?? throw new WorkflowAutomationException(ErrorIds.RunRestartFailed, ErrorKind.InvalidOperation,
            $"Run {runId} could not be restarted; the daemon log {Log.Path} says why.");
    }
}
