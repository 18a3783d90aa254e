using WorkflowAutomation.Workflows.Expressions;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Finds <c>${{ }}</c> in a command or rollback that pastes a value someone else controls (a
/// string input, a step output, an env value) into the command text, where a value such as
/// <c>"; rm -rf ~; "</c> runs as code: GitHub Actions' script injection. The expression is
/// evaluated with such values replaced by markers, so only what can reach the text counts:
/// <c>${{ inputs.who == 'me' }}</c> (a boolean) and <c>${{ quote(inputs.who) }}</c> do not.
/// </summary>
internal static class InterpolationCheck
{
    /// <summary>The path of the first untrusted value the expression can paste (such as inputs.who), or null.</summary>
    public static IReadOnlyList<string>? UntrustedValue(string expression, WorkflowSource source)
    {
        // Trusted values are tried truthy and falsy: 'a || inputs.b' pastes inputs.b when a is empty.
        foreach (var trustedTruthy in new[] { true, false })
        {
            var context = new MarkingContext(source, trustedTruthy);
            object? result;
            try
            {
                result = Expression.Evaluate(expression, context);
            }
            catch (ExpressionException)
            {
                return null;
            }
            foreach (var (marker, path) in context.Marked)
            {
                if (result is string text && text.Contains(marker, StringComparison.Ordinal))
                {
                    return path;
                }
            }
        }
        return null;
    }

    /// <summary>The finding for one unsafe expression, naming the safe forms for the step's shell.</summary>
    public static string Message(string expression, IReadOnlyList<string> path, StepShell shell, bool strict)
    {
        var reference = string.Join('.', path);
        var variable = Variable(path);
        var fromEnvironment = shell switch
        {
            StepShell.Bash or StepShell.Sh => $"\"${variable}\"",
            StepShell.Pwsh => $"$env:{variable}",
            StepShell.Python => $"os.environ['{variable}']",
            _ => null,
        };
        var shellName = shell.ToString().ToLowerInvariant();
        var safe = fromEnvironment is null
            ? $"Write ${{{{ quote({reference}) }}}} to quote it for {shellName}"
            : $"Read it from the environment instead ({fromEnvironment} in {shellName}), or write ${{{{ quote({reference}) }}}} to quote it for {shellName}";
        var stance = strict
            ? "Strict interpolation is on (STRICT_INTERPOLATION or 'strict: true'), so this is an error."
            : "Set 'strict: true' (or STRICT_INTERPOLATION) to make this an error.";
        return $"'${{{{ {expression.Trim()} }}}}' pastes {reference} into the command text, where a value such as '\"; rm -rf ~; \"' would run as code. {safe}. {stance}";
    }

    private static string Variable(IReadOnlyList<string> path) =>
        path[0].ToLowerInvariant() switch
        {
            "inputs" => EnvironmentNames.Input(path[1]),
            "steps" => EnvironmentNames.StepOutput(path[1], path.Count > 3 ? path[3] : string.Empty),
            _ => path[1],
        };

    /// <summary>Resolves untrusted values to unique markers and trusted ones to plain values.</summary>
    private sealed class MarkingContext(WorkflowSource source, bool trustedTruthy) : IExpressionContext
    {
        public List<(string Marker, IReadOnlyList<string> Path)> Marked { get; } = [];

        public object? Resolve(IReadOnlyList<string> path)
        {
            string Part(int index) => index < path.Count ? path[index] : string.Empty;
            switch (Part(0).ToLowerInvariant())
            {
                case "inputs" when source.Inputs.TryGetValue(Part(1), out var input) && input.Type == InputType.Number:
                    // A number input is checked to be a number before a run starts.
                    return trustedTruthy ? 1.0 : 0.0;
                case "inputs" when source.Inputs.TryGetValue(Part(1), out var input) && input.Type == InputType.Boolean:
                    return trustedTruthy;
                case "inputs":
                case "env":
                case "steps" when Part(2).Equals("outputs", StringComparison.OrdinalIgnoreCase):
                    var marker = $"\u0001{Marked.Count}\u0001";
                    Marked.Add((marker, path.ToList()));
                    return marker;
                default:
                    // Set by the engine or the file itself: outcome, status, exit_code, workflow.name.
                    return trustedTruthy ? "success" : null;
            }
        }

        public bool StatusFunction(string name) => trustedTruthy;

        public string Quote(string value) => "'quoted'";
    }
}
