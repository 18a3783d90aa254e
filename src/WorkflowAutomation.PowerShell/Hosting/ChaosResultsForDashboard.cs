using WorkflowAutomation.Chaos;
using WorkflowAutomation.Dashboard.Chaos;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.PowerShell.Hosting;

/// <summary>
/// The dashboard's Chaos page reads the results Invoke-ChaosTest records. Composed here, in
/// the host, because the dashboard and chaos testing sit side by side in the engine's layers.
/// </summary>
internal sealed class ChaosResultsForDashboard(StateDirectory state) : IChaosResultSource
{
    public IReadOnlyList<ChaosResultSummary> Recent(int count) =>
        new ChaosResults(state).List().Take(count).Select(result => new ChaosResultSummary
        {
            Id = result.Id,
            Type = result.Type.ToString(),
            StartTime = result.StartTime,
            Duration = (result.EndTime ?? result.StartTime) - result.StartTime,
            Passed = result.Verdict == ChaosVerdict.Passed,
            Summary = result.Message ?? result.Name,
        }).ToList();
}
