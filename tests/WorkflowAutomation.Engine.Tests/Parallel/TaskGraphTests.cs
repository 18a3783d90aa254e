using WorkflowAutomation.Parallel;

namespace WorkflowAutomation.Tests.Parallel;

public sealed class TaskGraphTests
{
    [Fact]
    public void An_unknown_dependency_is_an_error_with_a_hint_before_anything_runs()
    {
        var executor = new ScriptedExecutor();
        var tasks = new[]
        {
            new ParallelTask { Id = "build", Command = "ok" },
            new ParallelTask { Id = "test", Command = "ok", DependsOn = ["biuld"] },
        };

        var error = Assert.Throws<ParallelBatchException>(() => new ParallelBatchRunner(tasks, new ParallelBatchOptions { CommandExecutor = executor }));

        Assert.Equal("ParallelTaskDependencyUnknown", error.ErrorId);
        Assert.Contains("'test' depends on 'biuld'", error.Message);
        Assert.Contains("Did you mean 'build'?", error.Message);
        Assert.Empty(executor.Started);
    }

    [Fact]
    public void A_cycle_is_an_error_naming_the_tasks_on_it()
    {
        var tasks = new[]
        {
            new ParallelTask { Id = "a", Command = "ok", DependsOn = ["c"] },
            new ParallelTask { Id = "b", Command = "ok", DependsOn = ["a"] },
            new ParallelTask { Id = "c", Command = "ok", DependsOn = ["b"] },
            new ParallelTask { Id = "free", Command = "ok" },
        };

        var error = Assert.Throws<ParallelBatchException>(() => new ParallelBatchRunner(tasks));

        Assert.Equal("ParallelTaskDependencyCycle", error.ErrorId);
        Assert.Matches("(a|b|c) -> (a|b|c) -> (a|b|c) -> (a|b|c)", error.Message);
        Assert.DoesNotContain("free", error.Message);
    }

    [Fact]
    public void Duplicate_ids_and_a_self_dependency_are_errors()
    {
        var duplicate = Assert.Throws<ParallelBatchException>(() => new ParallelBatchRunner(
            [new ParallelTask { Id = "x", Command = "ok" }, new ParallelTask { Id = "X", Command = "ok" }]));
        Assert.Equal("ParallelTaskIdDuplicate", duplicate.ErrorId);

        var self = Assert.Throws<ParallelBatchException>(() => new ParallelBatchRunner(
            [new ParallelTask { Id = "x", Command = "ok", DependsOn = ["x"] }]));
        Assert.Equal("ParallelTaskDependencyCycle", self.ErrorId);
    }

    [Fact]
    public void Tasks_without_an_id_are_named_by_their_position()
    {
        var runner = new ParallelBatchRunner([new ParallelTask { Command = "ok" }, new ParallelTask { Id = "named", Command = "ok", DependsOn = ["1"] }]);

        Assert.Equal(["1", "named"], runner.Tasks.Select(t => t.Id));
    }
}
