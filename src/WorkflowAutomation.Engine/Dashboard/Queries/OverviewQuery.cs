using WorkflowAutomation.Daemon;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard.Queries;

/// <summary>What the Overview page shows, read from the daemon's stores without changing them.</summary>
public sealed class OverviewQuery(DaemonHost host, RunQueries runs)
{
    public object Read()
    {
        var status = host.GetStatus();
        var pending = host.Approvals.Pending();
        var names = pending.Count == 0 ? new Dictionary<string, string>()
            : runs.List(new RunListFilter { Statuses = [RunStatus.WaitingForApproval], Limit = 500 }).Runs.ToDictionary(run => run.Id, run => run.Name);
        return new
        {
            status.State,
            status.Health,
            HealthChecks = status.HealthChecks.Select(check => new { check.Name, check.Status, check.Description }),
            status.QueueDepth,
            status.Uptime,
            Running = runs.List(new RunListFilter { Statuses = [RunStatus.Running], Limit = 20 }).Runs,
            Approvals = pending.Select(approval => new
            {
                approval.RunId,
                Workflow = names.GetValueOrDefault(approval.RunId),
                approval.Step,
                approval.RequestedAt,
            }),
            OpenBreakers = host.Breakers.List().Where(breaker => breaker.State != CircuitState.Closed),
            NextSchedules = host.Schedules.List().Where(schedule => schedule.NextRunAt is not null).OrderBy(schedule => schedule.NextRunAt).Take(5),
            LastFailures = runs.List(new RunListFilter { Statuses = [RunStatus.Failed], Limit = 5 }).Runs,
        };
    }
}
