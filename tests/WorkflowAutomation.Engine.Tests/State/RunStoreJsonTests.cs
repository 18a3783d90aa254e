using System.Text.Json;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.State;

/// <summary>The run store's generated JSON metadata writes what the reflection-based serializer wrote before it.</summary>
public sealed class RunStoreJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new() { WriteIndented = false };

    private static WorkflowDefinition Full() => new()
    {
        Name = "deploy",
        Description = "every key set",
        ExecutionMode = ExecutionMode.Parallel,
        MaxParallel = 3,
        Inputs = new Dictionary<string, WorkflowInput>
        {
            ["version"] = new() { Name = "version", Default = "2.1", Required = true, Description = "which" },
            ["ratio"] = new() { Name = "ratio", Type = InputType.Number, Default = 0.5 },
            ["dry"] = new() { Name = "dry", Type = InputType.Boolean, Default = true, Secret = true },
            ["none"] = new() { Name = "none" },
        },
        Env = new Dictionary<string, string> { ["STAGE"] = "prod" },
        Schedule = "*/15 * * * *",
        TimeZone = "Europe/Paris",
        Notifications = new WorkflowNotifications { Webhook = "http://127.0.0.1:1/hook", Email = "ops@example.org" },
        SourcePath = "/work/deploy.yaml",
        WorkingDirectory = "/work",
        Environment = "tools",
        Steps =
        [
            new WorkflowStep { Name = "build", Command = "make", Shell = StepShell.Sh, Timeout = TimeSpan.FromSeconds(90), Location = new SourceLocation("/work/deploy.yaml", 12, 5) },
            new WorkflowStep
            {
                Name = "ship", Command = "./ship \"${{ inputs.version }}\"", Shell = StepShell.Bash, RetryCount = 2, RetryDelay = TimeSpan.FromMilliseconds(250),
                Backoff = RetryBackoff.Linear, Jitter = true, DependsOn = ["build"], Parallel = true, ApprovalRequired = true, Condition = "success()",
                Rollback = "./unship", ContinueOnError = true, Env = new Dictionary<string, string> { ["X"] = "1" }, WorkingDirectory = "out",
                Environment = "node", Limits = new StepLimits { MemoryMb = 256, CpuPercent = 50 },
                Chaos = new StepChaos { FaultRate = 0.1, Latency = TimeSpan.FromSeconds(2), LatencyRate = 0.5, KillAfter = TimeSpan.FromSeconds(3), KillRate = 0.2, Seed = 7 },
            },
        ],
    };

    [Fact]
    public void A_definition_is_written_as_the_reflection_serializer_writes_it_and_reads_back_the_same()
    {
        var definition = Full();
        var stored = JsonSerializer.Serialize(definition, RunStoreJsonContext.StoreOptions);
        Assert.Equal(JsonSerializer.Serialize(definition, Reflection), stored);

        // Read back, input defaults are JSON values: written again, they give the same text.
        var read = JsonSerializer.Deserialize<WorkflowDefinition>(stored, RunStoreJsonContext.StoreOptions)!;
        Assert.Equal(stored, JsonSerializer.Serialize(read, RunStoreJsonContext.StoreOptions));
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<WorkflowDefinition>(stored, Reflection), Reflection), stored);
        Assert.Equal(TimeSpan.FromSeconds(3), read.Steps[1].Chaos!.KillAfter);
        Assert.Equal(new SourceLocation("/work/deploy.yaml", 12, 5), read.Steps[0].Location);
    }

    [Fact]
    public void Parameters_outputs_and_defaults_of_other_types_are_written_as_before()
    {
        IReadOnlyDictionary<string, string> parameters = new Dictionary<string, string> { ["version"] = "2.1", ["quote"] = "a \"b\" <c>" };
        Assert.Equal(JsonSerializer.Serialize(parameters, Reflection), JsonSerializer.Serialize(parameters, RunStoreJsonContext.StoreOptions));
        var outputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["url"] = "http://x/é" };
        Assert.Equal(JsonSerializer.Serialize(outputs, Reflection), JsonSerializer.Serialize(outputs, RunStoreJsonContext.StoreOptions));

        // A default of a type the generated metadata does not list still serializes.
        var odd = new WorkflowDefinition
        {
            Name = "odd",
            Inputs = new Dictionary<string, WorkflowInput> { ["n"] = new() { Name = "n", Default = 42L }, ["list"] = new() { Name = "list", Default = new[] { 1, 2 } } },
            Steps = [new WorkflowStep { Name = "a", Command = "true" }],
        };
        Assert.Equal(JsonSerializer.Serialize(odd, Reflection), JsonSerializer.Serialize(odd, RunStoreJsonContext.StoreOptions));
    }
}
