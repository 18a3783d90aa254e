using System.Globalization;
using System.Text.Json;
using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows.Expressions;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>Checks -Parameter values against the workflow's inputs: names, types, required, defaults.</summary>
public static class WorkflowInputs
{
    /// <summary>The value of every declared input (string, double or bool; null when optional and unset).</summary>
    /// <exception cref="WorkflowInputException">Every problem at once: unknown names, missing required inputs, bad types.</exception>
    public static Dictionary<string, object?> Resolve(WorkflowDefinition definition, IReadOnlyDictionary<string, object?> parameters)
    {
        var problems = new List<string>();
        var given = new Dictionary<string, object?>(parameters, StringComparer.OrdinalIgnoreCase);
        foreach (var name in given.Keys.Where(name => !definition.Inputs.ContainsKey(name) && !definition.Inputs.Keys.Contains(name, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add(definition.Inputs.Count == 0
                ? $"'{name}' is not an input of workflow '{definition.Name}', which declares none."
                : $"'{name}' is not an input of workflow '{definition.Name}'.{DidYouMean.Hint(name, definition.Inputs.Keys)} Inputs: {string.Join(", ", definition.Inputs.Keys)}.");
        }
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, input) in definition.Inputs)
        {
            var raw = given.TryGetValue(name, out var value) ? value : Unwrap(input.Default);
            if (raw is null || (raw is string text && text.Length == 0 && input.Type != InputType.String))
            {
                if (input.Required)
                {
                    problems.Add($"Input '{name}' is required: pass it with -Parameter @{{ {name} = ... }}.");
                }
                values[name] = null;
                continue;
            }
            var converted = Convert(raw, input.Type);
            if (converted is null)
            {
                problems.Add($"Input '{name}' must be a {input.Type.ToString().ToLowerInvariant()}; '{raw}' is not.");
            }
            values[name] = converted;
        }
        if (problems.Count > 0)
        {
            throw new WorkflowInputException(string.Join(Environment.NewLine, problems));
        }
        return values;
    }

    private static object? Unwrap(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        JsonElement { ValueKind: JsonValueKind.Number } element => element.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement element => element.ToString(),
        _ => value,
    };

    private static object? Convert(object raw, InputType type)
    {
        switch (type)
        {
            case InputType.String:
                return Expression.Format(raw);
            case InputType.Number:
                return raw switch
                {
                    bool => null,
                    IConvertible convertible when raw is not string => System.Convert.ToDouble(convertible, CultureInfo.InvariantCulture),
                    _ => double.TryParse(raw.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null,
                };
            default:
                return raw switch
                {
                    bool flag => flag,
                    string text when bool.TryParse(text, out var flag) => flag,
                    string text when text is "1" or "0" => text == "1",
                    IConvertible convertible when raw is not string => System.Convert.ToDouble(convertible, CultureInfo.InvariantCulture) != 0,
                    _ => null,
                };
        }
    }
}

/// <summary>-Parameter values do not fit the workflow's inputs.</summary>
public sealed class WorkflowInputException(string message)
    : WorkflowAutomationException(ErrorIds.WorkflowInputInvalid, ErrorKind.InvalidArgument, message);
