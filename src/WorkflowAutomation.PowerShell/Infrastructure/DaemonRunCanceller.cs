using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>Stop-WorkflowRun for a daemon run: cancel it over the socket, then wait until its rollbacks are done.</summary>
internal static class DaemonRunCanceller
{
    public static WorkflowRun? Cancel(StateDirectory state, string runId)
    {
        using var client = DaemonClient.Connect(state);
        var run = client.Send<WorkflowRun>(DaemonOperations.Cancel, new RunRequestBody { RunId = runId });
        for (var round = 0; round < 60; round++)
        {
            var answer = client.Send<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = runId, TimeoutSeconds = 10 })!;
            if (answer.Ended)
            {
                return answer.Run;
            }
        }
        return run;
    }
}
