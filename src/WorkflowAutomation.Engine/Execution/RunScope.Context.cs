using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

internal sealed partial class RunScope
{
    /// <summary>What conditions and ${{ }} of one step can read.</summary>
    private sealed class StepContext(RunScope scope, WorkflowStep step, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? environment = null) : IExpressionContext
    {
        public StepContext WithEnvironment(IReadOnlyDictionary<string, string?> values) => new(scope, step, cancellationToken, values);

        public StepShell? Shell => step.Shell;

        public object? Resolve(IReadOnlyList<string> path)
        {
            string Part(int index) => index < path.Count ? path[index] : string.Empty;
            switch (Part(0).ToLowerInvariant())
            {
                case "inputs":
                    return scope.inputs.TryGetValue(Part(1), out var input) ? input : null;
                case "env":
                    if (environment is not null && environment.TryGetValue(Part(1), out var value))
                    {
                        return value;
                    }
                    return scope.definition.Env.TryGetValue(Part(1), out var raw) ? raw : System.Environment.GetEnvironmentVariable(Part(1));
                case "workflow":
                    return Part(1).ToLowerInvariant() switch
                    {
                        "name" => scope.definition.Name,
                        "run_id" or "runid" => scope.run.Id,
                        _ => null,
                    };
                case "steps":
                    return StepValue(Part(1), Part(2).ToLowerInvariant(), Part(3));
                default:
                    throw new ExpressionException($"'{string.Join('.', path)}' is unknown: use inputs.<name>, steps.<name>.outputs.<key>, steps.<name>.outcome, env.<NAME> or workflow.name.");
            }
        }

        private object? StepValue(string name, string property, string key)
        {
            if (!scope.steps.TryGetValue(name, out var record))
            {
                throw new ExpressionException($"There is no step '{name}'.{Common.DidYouMean.Hint(name, scope.steps.Keys)}");
            }
            lock (scope.gate)
            {
                return property switch
                {
                    "outputs" => record.Outputs.TryGetValue(key, out var output) ? output : null,
                    "outcome" => Outcome(record, afterContinueOnError: false),
                    "conclusion" => Outcome(record, afterContinueOnError: true),
                    "status" => record.Status.ToString(),
                    "exit_code" or "exitcode" => record.ExitCode is { } code ? (double)code : null,
                    _ => throw new ExpressionException($"steps.{name}.{property} is unknown: use outputs.<key>, outcome, conclusion, status or exit_code."),
                };
            }
        }

        private static string? Outcome(WorkflowStepRun record, bool afterContinueOnError) => record.Status switch
        {
            StepStatus.Succeeded => "success",
            StepStatus.Skipped => "skipped",
            StepStatus.Cancelled => "cancelled",
            StepStatus.Failed or StepStatus.TimedOut or StepStatus.Interrupted or StepStatus.CircuitOpen =>
                afterContinueOnError && record.ContinuedOnError ? "success" : "failure",
            _ => null,
        };

        /// <summary>
        /// Sequential mode: success() means no step has failed, as for steps of a GitHub job.
        /// Parallel: also every ancestor succeeded (a skipped need skips its dependants, as for jobs).
        /// Conditional: only the ancestors count, a failure elsewhere does not.
        /// </summary>
        public bool StatusFunction(string name)
        {
            lock (scope.gate)
            {
                var mode = scope.definition.ExecutionMode;
                var ancestors = scope.ancestors[step.Name].Select(ancestor => scope.steps[ancestor]).ToList();
                bool AncestorsSucceeded() => ancestors.All(a => Outcome(a, afterContinueOnError: true) == "success");
                return name switch
                {
                    "always" => true,
                    "cancelled" => cancellationToken.IsCancellationRequested,
                    "success" => !cancellationToken.IsCancellationRequested && mode switch
                    {
                        ExecutionMode.Sequential => !scope.RunFailed,
                        ExecutionMode.Parallel => !scope.RunFailed && AncestorsSucceeded(),
                        _ => AncestorsSucceeded(),
                    },
                    _ => mode == ExecutionMode.Conditional ? ancestors.Any(IsFailure) : scope.RunFailed,
                };
            }
        }
    }
}
