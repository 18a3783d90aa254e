using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Execution;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

/// <summary>A state directory with a real SQLite run store, and helpers to build and run workflows in code.</summary>
internal sealed class ExecutorFixture : IDisposable
{
    public ExecutorFixture(TimeProvider? time = null)
    {
        Store = SqliteRunStore.Open(Folder.State);
        Time = time ?? TimeProvider.System;
    }

    public TempFolder Folder { get; } = new();

    public SqliteRunStore Store { get; }

    public TimeProvider Time { get; }

    public IApprovalGate Approvals { get; set; } = NonInteractiveApprovalGate.Instance;

    public string Scratch => Folder.State.ScratchFolder;

    public IReadOnlyList<string> SecretEnvironmentVariables { get; set; } = [];

    public long MaxStepLogBytes { get; set; } = 16L * 1024 * 1024;

    public IRunNotifier? Notifier { get; set; }

    /// <summary>A file in the test folder that steps append to, to show order.</summary>
    public string Trace => Path.Combine(Folder.Path, "trace");

    public string[] TraceLines => File.Exists(Trace) ? File.ReadAllLines(Trace) : [];

    public static WorkflowStep Sh(string name, string command, Action<StepBuilder>? configure = null)
    {
        var builder = new StepBuilder { Name = name, Command = command, Shell = StepShell.Sh };
        configure?.Invoke(builder);
        return builder.Build();
    }

    public static WorkflowDefinition Workflow(ExecutionMode mode, params WorkflowStep[] steps) =>
        new() { Name = "test_workflow", ExecutionMode = mode, Steps = steps };

    public Task<WorkflowRun> Run(WorkflowDefinition definition, RunRequest? request = null, CancellationToken cancellationToken = default) =>
        new WorkflowExecutor(new WorkflowExecutorOptions { Store = Store, Time = Time, Approvals = Approvals, ScratchFolder = Scratch, SecretEnvironmentVariables = SecretEnvironmentVariables, MaxStepLogBytes = MaxStepLogBytes, Notifier = Notifier })
            .RunAsync(definition, request ?? new RunRequest { WorkingDirectory = Folder.Path }, cancellationToken);

    public void Dispose()
    {
        Store.Dispose();
        Folder.Dispose();
    }
}

/// <summary>Mutable stand-in for the init-only step, so tests read as a list of settings.</summary>
internal sealed class StepBuilder
{
    public required string Name { get; set; }
    public required string Command { get; set; }
    public StepShell Shell { get; set; }
    public TimeSpan? Timeout { get; set; }
    public int RetryCount { get; set; }
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public RetryBackoff Backoff { get; set; } = RetryBackoff.Exponential;
    public string[] DependsOn { get; set; } = [];
    public bool Parallel { get; set; }
    public bool ApprovalRequired { get; set; }
    public string? Condition { get; set; }
    public string? Rollback { get; set; }
    public bool ContinueOnError { get; set; }
    public Dictionary<string, string> Env { get; set; } = [];

    public WorkflowStep Build() => new()
    {
        Name = Name,
        Command = Command,
        Shell = Shell,
        Timeout = Timeout,
        RetryCount = RetryCount,
        RetryDelay = RetryDelay,
        Backoff = Backoff,
        DependsOn = DependsOn,
        Parallel = Parallel,
        ApprovalRequired = ApprovalRequired,
        Condition = Condition,
        Rollback = Rollback,
        ContinueOnError = ContinueOnError,
        Env = Env,
    };
}
