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
    private Task<DaemonAnswer<WorkflowRun>>? receiving;

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
        client ??= DaemonClient.Connect(state);
        while (sent.Count >= Window)
        {
            ReceiveOne();
        }
        client.Post(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = yaml, Parameters = parameters.ToDictionary(), WorkingDirectory = workingDirectory }, cancellation);
        sent.Enqueue(slot);
        return Take(wait: false);
    }

    /// <summary>Waits for every answer; returns the outcomes not handed out yet, in order.</summary>
    public IReadOnlyList<SubmitOutcome> Complete() => Take(wait: true);

    private List<SubmitOutcome> Take(bool wait)
    {
        while (sent.Count > 0 && (wait || StartReceiving().IsCompleted))
        {
            ReceiveOne();
        }
        if (sent.Count > 0)
        {
            StartReceiving();
        }
        var outcomes = new List<SubmitOutcome>();
        while (order.TryPeek(out var head) && head.Outcome is { } outcome)
        {
            order.Dequeue();
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>Reads the next answer (in the background, so that it is ready when asked for).</summary>
    private Task<DaemonAnswer<WorkflowRun>> StartReceiving() => receiving ??= client!.ReceiveAsync<WorkflowRun>(cancellation);

    private void ReceiveOne()
    {
        var answer = StartReceiving().GetAwaiter().GetResult();
        receiving = null;
        var slot = sent.Dequeue();
        slot.Outcome = new SubmitOutcome(slot.File, answer.Value, answer.Error);
    }

    public void Dispose()
    {
        client?.Dispose();
        // A read still pending fails with the closed connection; nobody waits for it.
        receiving?.ContinueWith(read => _ = read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private sealed class Slot(string file)
    {
        public string File { get; } = file;

        public SubmitOutcome? Outcome { get; set; }
    }
}
