using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>
/// Runs the protocol's serializers once, on a spare thread while the daemon opens its
/// databases: the first health ping, status and submit would otherwise build the JSON
/// metadata and compile that code on the start's critical path.
/// </summary>
internal static class IpcWarmUp
{
    public static void Run(string stateDirectory)
    {
        var status = new DaemonStatus
        {
            StateDirectory = stateDirectory,
            HealthChecks = [HealthCheckResult.Healthy("Socket", "warm")],
            HealthReasons = ["warm"],
            RunningRuns = ["warm"],
        };
        var run = new WorkflowRun { Id = "warm", Name = "warm", Steps = { new WorkflowStepRun { RunId = "warm", Name = "warm" } } };
        foreach (var body in new object?[] { "pong", status, run })
        {
            IpcJson.FromElement<object>(Decode<IpcResponse>(IpcFraming.Encode(new IpcResponse { Ok = true, Body = IpcJson.ToElement(body) }, "warm")).Body);
        }
        var request = IpcFraming.Encode(new IpcRequest { Op = DaemonOperations.Submit, Body = IpcJson.ToElement(new SubmitRequest { Path = "warm", Yaml = "warm" }) }, "warm");
        IpcJson.FromElement<SubmitRequest>(Decode<IpcRequest>(request).Body);
        IpcJson.FromElement<DaemonStatus>(IpcJson.ToElement(status));
        IpcJson.FromElement<WorkflowRun>(IpcJson.ToElement(run));
    }

    private static T Decode<T>(byte[] frame) where T : class
    {
        using var payload = new MemoryStream();
        payload.Write(frame, 4, frame.Length - 4);
        return IpcFraming.Deserialize<T>(payload);
    }
}
