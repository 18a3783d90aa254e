using System.Collections.Concurrent;
using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

/// <summary>
/// Stands in for processes where only scheduling is under test: a command's text says
/// what it does ("ok", "fail", "hold:name" waits for <see cref="Release"/>, "flaky:N"
/// fails its first N attempts). Records the order in which tasks start.
/// </summary>
internal sealed class ScriptedExecutor : ICommandTaskExecutor
{
    private readonly ConcurrentDictionary<string, ManualResetEventSlim> gates = new();
    private readonly ConcurrentDictionary<string, int> attempts = new();
    private readonly object gate = new();
    private readonly List<string> started = [];

    public IReadOnlyList<string> Started
    {
        get
        {
            lock (gate)
            {
                return started.ToList();
            }
        }
    }

    /// <summary>Set each time a task starts.</summary>
    public SemaphoreSlim StartedSignal { get; } = new(0);

    public void Release(string name) => Gate(name).Set();

    public int AttemptsOf(string id) => attempts.GetValueOrDefault(id);

    public TaskOutcome Run(ParallelTask task, CommandContext context, CancellationToken cancellation)
    {
        lock (gate)
        {
            started.Add(task.Id);
        }
        var attempt = attempts.AddOrUpdate(task.Id, 1, (_, n) => n + 1);
        StartedSignal.Release();
        var command = task.Command!;
        if (command.StartsWith("hold:", StringComparison.Ordinal))
        {
            try
            {
                Gate(command[5..]).Wait(cancellation);
            }
            catch (OperationCanceledException)
            {
                return new TaskOutcome(ParallelTaskStatus.Cancelled, null, [], "cancelled");
            }
        }
        if (command.StartsWith("flaky:", StringComparison.Ordinal) && attempt <= int.Parse(command[6..]))
        {
            return TaskOutcome.Failure($"attempt {attempt} failed");
        }
        return command == "fail" ? TaskOutcome.Failure("failed on purpose") : TaskOutcome.Success([task.Id]);
    }

    private ManualResetEventSlim Gate(string name) => gates.GetOrAdd(name, _ => new ManualResetEventSlim());
}
