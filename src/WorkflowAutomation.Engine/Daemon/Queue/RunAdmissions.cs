using Microsoft.Data.Sqlite;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Execution;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Daemon;

/// <summary>A run being accepted: its validated definition and what its queue row and record need.</summary>
public sealed record RunAdmission(WorkflowDefinition Definition, string Text, string? SourcePath, IReadOnlyDictionary<string, string> Parameters, string Origin,
    Action<SqliteConnection, SqliteTransaction>? Alongside = null, string? WorkingDirectory = null);

/// <summary>
/// Accepts runs in groups (group commit): the runs that arrive while one group is being
/// committed go in the next, with one transaction for their queue rows and one for their
/// records, instead of two commits each. A run is acknowledged only once both are committed,
/// so an acknowledged run is on disk; runs keep the order in which they were admitted.
/// </summary>
public sealed class RunAdmissions(RunQueue queue, CommittedRunStore runs, RunDispatcher dispatcher, TimeProvider time)
{
    private readonly object gate = new();
    private readonly RunIds ids = new(time);
    // Definitions as validated on admission, so a run that starts in this process is not parsed twice.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WorkflowDefinition> definitions = new(StringComparer.Ordinal);
    private List<Pending> waiting = [];
    private bool committing;
    private int inGroup;
    private long groups;

    /// <summary>Raised for each run once it is committed, on the committing thread.</summary>
    public event Action<WorkflowRun>? Admitted;

    /// <summary>Groups committed so far (each one transaction per database, for any number of runs).</summary>
    public long Groups => Interlocked.Read(ref groups);

    /// <summary>Runs not yet acknowledged: in the group being committed, or waiting for the next.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (gate)
            {
                return inGroup + waiting.Count;
            }
        }
    }

    /// <summary>The definition a run was admitted with, once (null when it was admitted by an earlier process).</summary>
    public WorkflowDefinition? TakeDefinition(string runId) => definitions.TryRemove(runId, out var definition) ? definition : null;

    /// <summary>Queues a run; completes with its record (Queued) once it is durable.</summary>
    public Task<WorkflowRun> AdmitAsync(RunAdmission admission)
    {
        var pending = new Pending(admission);
        bool start;
        lock (gate)
        {
            waiting.Add(pending);
            start = !committing;
            committing = true;
        }
        if (start)
        {
            // Off the caller's thread: a connection's reader goes on to its next request
            // meanwhile, and that request joins the next group.
            ThreadPool.UnsafeQueueUserWorkItem(_ => CommitWaiting(), null);
        }
        return pending.Completion.Task;
    }

    private void CommitWaiting()
    {
        while (true)
        {
            List<Pending> group;
            lock (gate)
            {
                if (waiting.Count == 0)
                {
                    (committing, inGroup) = (false, 0);
                    return;
                }
                group = waiting;
                waiting = [];
                inGroup = group.Count;
            }
            try
            {
                Commit(group);
            }
            catch (Exception exception)
            {
                foreach (var pending in group)
                {
                    pending.Completion.TrySetException(exception);
                }
            }
        }
    }

    private void Commit(List<Pending> group)
    {
        // While no run is taken from the queue: a run never starts before its record exists.
        var accepted = dispatcher.Admit(() =>
        {
            var entries = group.Select(pending =>
            {
                var admission = pending.Admission;
                pending.RunId = ids.Next();
                return new QueueEntry(pending.RunId, admission.Definition.Name, admission.SourcePath, admission.Text, admission.Parameters, admission.Origin,
                    admission.Alongside, admission.WorkingDirectory);
            }).ToList();
            var failures = queue.EnqueueAll(entries);
            var accepted = new List<(Pending Pending, WorkflowRun Run)>(group.Count);
            for (var index = 0; index < group.Count; index++)
            {
                if (failures[index] is { } failure)
                {
                    group[index].Completion.TrySetException(failure);
                    continue;
                }
                accepted.Add((group[index], Record(group[index])));
            }
            // A crash between the two commits leaves a queued row without a record: the executor then creates it.
            runs.Inner.CreateRunsNow(accepted.Select(admitted => (admitted.Run, admitted.Pending.Admission.Definition)), RunOwner.Current);
            foreach (var (pending, run) in accepted)
            {
                // Kept before the run can be taken from the queue. The answer goes out with one
                // copy of the record; the run's first start takes another.
                definitions[run.Id] = pending.Admission.Definition;
                runs.Accepted(Record(pending));
            }
            return accepted;
        });
        Interlocked.Increment(ref groups);
        foreach (var (pending, run) in accepted)
        {
            Admitted?.Invoke(run);
            pending.Completion.TrySetResult(run);
        }
        // After the answers are on their way: starting a run (a fork among other things) must
        // not hold up the client that waits for the answer before it sends its next submit.
        dispatcher.Wake();
    }

    private static WorkflowRun Record(Pending pending)
    {
        var admission = pending.Admission;
        var run = new WorkflowRun
        {
            Id = pending.RunId!,
            Name = admission.Definition.Name,
            Status = RunStatus.Queued,
            SourcePath = admission.SourcePath,
            Parameters = SecretMasker.RecordedParameters(admission.Definition, admission.Parameters),
            Origin = DaemonHost.RunOrigin,
        };
        foreach (var step in admission.Definition.Steps)
        {
            run.Steps.Add(new WorkflowStepRun { RunId = run.Id, Name = step.Name, Status = StepStatus.Pending });
        }
        return run;
    }

    private sealed class Pending(RunAdmission admission)
    {
        public RunAdmission Admission { get; } = admission;

        public TaskCompletionSource<WorkflowRun> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? RunId { get; set; }
    }
}

/// <summary>
/// Run ids as <see cref="WorkflowExecutor.NewRunId"/> makes them, never one this daemon has
/// already given within the same second (at a thousand runs a second, six random hex digits
/// alone would repeat about once a minute).
/// </summary>
internal sealed class RunIds(TimeProvider time)
{
    private readonly HashSet<string> thisSecond = new(StringComparer.Ordinal);
    private string second = "";

    public string Next()
    {
        while (true)
        {
            var id = WorkflowExecutor.NewRunId(time);
            var prefix = id[..id.LastIndexOf('-')];
            if (prefix != second)
            {
                second = prefix;
                thisSecond.Clear();
            }
            if (thisSecond.Add(id))
            {
                return id;
            }
        }
    }
}
