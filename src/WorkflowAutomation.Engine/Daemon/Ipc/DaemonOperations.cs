using WorkflowAutomation.Common;
namespace WorkflowAutomation.Daemon.Ipc;

/// <summary>The operation names of the daemon's protocol.</summary>
public static class DaemonOperations
{
    public const string Ping = "ping";
    public const string Status = "status";
    public const string Stop = "stop";
    public const string Submit = "submit";
    public const string Wait = "wait";
    public const string Cancel = "cancel";
    public const string Answer = "answer";
    public const string Breakers = "breakers";
    public const string ResetBreaker = "reset-breaker";
}

/// <summary>Arguments of <see cref="DaemonOperations.Submit"/>: the workflow's text, read by the client.</summary>
public sealed class SubmitRequest
{
    public required string Path { get; init; }
    public required string Yaml { get; init; }
    public Dictionary<string, string> Parameters { get; init; } = [];
    /// <summary>-WorkingDirectory, absolute; null runs in the workflow's own folder.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>Arguments of <see cref="DaemonOperations.Status"/> (optional).</summary>
public sealed class StatusRequest
{
    /// <summary>A ten-minute wait: the longest a status request waits for a starting daemon.</summary>
    public const double MaxWaitSeconds = 600;

    /// <summary>
    /// While the daemon is still starting, answer once it runs (or this many seconds have
    /// passed) rather than at once: Start-WorkflowDaemon learns it is running the moment it is.
    /// </summary>
    public double WaitUntilRunningSeconds { get; init; }
}

/// <summary>Arguments naming a run (cancel), and how long to wait for it (wait).</summary>
public sealed class RunRequestBody
{
    public required string RunId { get; init; }
    public double TimeoutSeconds { get; init; }
}

/// <summary>The answer to <see cref="DaemonOperations.Wait"/>.</summary>
public sealed class WaitResponse
{
    /// <summary>True once the run has ended for good (not interrupted to be resumed).</summary>
    public bool Ended { get; init; }
    public Workflows.WorkflowRun? Run { get; init; }
}

/// <summary>Arguments of <see cref="DaemonOperations.Answer"/>: approve or deny a step.</summary>
public sealed class AnswerRequest
{
    public required string RunId { get; init; }
    public required string Step { get; init; }
    public bool Approve { get; init; }
    public string? Reason { get; init; }
    public string? AnsweredBy { get; init; }
}

/// <summary>Arguments naming breakers (wildcards allowed).</summary>
public sealed class NameRequest
{
    public required string Name { get; init; }
}

/// <summary>Arguments of <see cref="DaemonOperations.Stop"/>.</summary>
public sealed class StopRequest
{
    /// <summary>A day: the longest grace period a stop accepts.</summary>
    public const double MaxGraceSeconds = 86_400;

    /// <summary>How long running steps may go on before they are interrupted (0 to <see cref="MaxGraceSeconds"/>).</summary>
    public double GraceSeconds { get; init; }
}

/// <summary>Checks of the numbers a request carries, so that none ends in an overflow deep inside the daemon.</summary>
public static class IpcArguments
{
    /// <summary>A finite number of seconds from 0 to <paramref name="max"/>, or a DaemonRequestInvalid error naming the field and the range.</summary>
    public static double Seconds(double value, string field, double max)
    {
        var limit = Math.Min(max, TimeSpan.MaxValue.TotalSeconds / 2);
        if (!double.IsFinite(value) || value < 0 || value > limit)
        {
            throw new Common.WorkflowAutomationException(ErrorIds.DaemonRequestInvalid, Common.ErrorKind.InvalidArgument,
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{field} must be a number of seconds from 0 to {limit:0.##}; the request gave {value}."));
        }
        return value;
    }
}
