using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Facades;

/// <summary>One file's submission as it ended: its run, or the error that kept it out.</summary>
public sealed record SubmitOutcome(string File, WorkflowRun? Run, WorkflowAutomationException? Error);

/// <summary>
/// Submits workflow files over one connection without waiting for each answer (a piped
/// Submit-Workflow). Outcomes come back in the order the files were given, as they arrive; a
/// file that cannot be read or that the daemon refuses has its error, and the rest still go in.
/// </summary>
public sealed class WorkflowSubmissions : IDisposable
{
    /// <summary>Files sent and not yet answered; beyond it, sending waits for the oldest answer.</summary>
    public const int Window = 32;

    private readonly StateDirectory state;
    private readonly CancellationToken cancellation;
    // Every file in the order given; the head is handed out once its outcome is known.
    private readonly Queue<Slot> order = new();
    // The files sent, waiting for their answers (which come in this order).
    private readonly Queue<Slot> sent = new();
    private DaemonClient? client;

    internal WorkflowSubmissions(StateDirectory state, CancellationToken cancellation)
    {
        this.state = state;
        this.cancellation = cancellation;
    }

    /// <summary>Files given and not yet handed out.</summary>
    public int Pending => order.Count;

    /// <summary>
    /// Sends one file; returns the outcomes known by now, in order. Waits only while
    /// <see cref="Window"/> files are unanswered. No daemon: <see cref="DaemonNotRunningException"/>.
    /// </summary>
    public IReadOnlyList<SubmitOutcome> Submit(string file, IReadOnlyDictionary<string, string> parameters, string? workingDirectory = null)
    {
        var slot = new Slot(file);
        order.Enqueue(slot);
        string yaml;
        try
        {
            yaml = File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            slot.Outcome = new SubmitOutcome(file, null, new WorkflowAutomationException(
                exception is UnauthorizedAccessException ? ErrorIds.AccessDenied : ErrorIds.IOFailed,
                exception is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.ResourceUnavailable,
                $"The workflow file '{file}' could not be read: {exception.Message}", exception));
            return Take(wait: false);
        }
        slot.Request = new SubmitRequest { Path = file, Yaml = yaml, Parameters = parameters.ToDictionary(), WorkingDirectory = workingDirectory };
        client ??= DaemonClient.Rent(state);
        while (sent.Count >= Window)
        {
            ReceiveOne();
        }
        sent.Enqueue(slot);
        Post(slot);
        return Take(wait: false);
    }

    /// <summary>Waits for every answer; returns the outcomes not handed out yet, in order. The connection is kept for the next call.</summary>
    public IReadOnlyList<SubmitOutcome> Complete()
    {
        var outcomes = Take(wait: true);
        client?.Return();
        client = null;
        return outcomes;
    }

    private void Post(Slot slot)
    {
        try
        {
            client!.Post(DaemonOperations.Submit, slot.Request, cancellation);
        }
        catch (DaemonNotRunningException) when (client!.Reused)
        {
            Reconnect();
        }
    }

    /// <summary>
    /// A kept connection the daemon closed just as it was taken (its idle timeout) has answered
    /// nothing: the daemon read none of what was sent on it, so all of it goes again on a new one.
    /// </summary>
    private void Reconnect()
    {
        client!.Dispose();
        client = DaemonClient.Connect(state);
        foreach (var waiting in sent)
        {
            client.Post(DaemonOperations.Submit, waiting.Request, cancellation);
        }
    }
    private List<SubmitOutcome> Take(bool wait)
    {
        while (sent.Count > 0 && (wait || client!.AnswerReady))
        {
            ReceiveOne();
        }
        var outcomes = new List<SubmitOutcome>();
        while (order.TryPeek(out var head) && head.Outcome is { } outcome)
        {
            order.Dequeue();
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    private void ReceiveOne()
    {
        DaemonAnswer<WorkflowRun> answer;
        try
        {
            answer = client!.Receive<WorkflowRun>(cancellation);
        }
        catch (DaemonNotRunningException) when (client!.Reused)
        {
            Reconnect();
            answer = client.Receive<WorkflowRun>(cancellation);
        }
        var slot = sent.Dequeue();
        slot.Outcome = new SubmitOutcome(slot.File, answer.Value, answer.Error);
    }

    public void Dispose() => client?.Dispose();

    private sealed class Slot(string file)
    {
        public string File { get; } = file;

        public SubmitRequest? Request { get; set; }

        public SubmitOutcome? Outcome { get; set; }
    }
}
