using System.Text.RegularExpressions;
using WorkflowAutomation.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Checks what values refer to: <c>${{ inputs.x }}</c> must name a declared input and
/// <c>steps.x</c> a step, in any value; conditions may only call the functions conditions
/// define. Each finding points at the reference itself, not just at the value holding it.
/// </summary>
internal sealed partial class ReferenceChecks(WorkflowSource source, SourceText text, DiagnosticBag diagnostics)
{
    public void Run()
    {
        var conditions = source.Steps.Select(step => step.ConditionNode).OfType<YamlScalarNode>().ToHashSet();
        foreach (var scalar in ValueScalars(source.Root))
        {
            var isCondition = conditions.Contains(scalar);
            if (scalar.Value is not { } value || (!isCondition && !value.Contains("${{", StringComparison.Ordinal)))
            {
                continue;
            }
            var raw = text.Slice(scalar.Start.Index, scalar.End.Index);
            var cursor = 0;
            foreach (var (offset, reference) in References(value, isCondition))
            {
                CheckReference(scalar, raw, offset, ref cursor, reference);
            }
            if (isCondition)
            {
                CheckFunctions(scalar, raw, value);
            }
        }
    }

    private void CheckReference(YamlScalarNode scalar, string raw, int offset, ref int cursor, Match reference)
    {
        var kind = reference.Groups["root"].Value;
        var name = reference.Groups["name"].Value;
        var (line, column) = Locate(scalar, raw, offset, reference.Value, ref cursor);
        if (kind == "inputs" && !source.Inputs.ContainsKey(name))
        {
            var hint = DidYouMean.Closest(name, source.Inputs.Keys) is { } match
                ? $"Did you mean '{match}'?"
                : $"Declare it under 'inputs:', such as 'inputs: {{ {name}: {{ type: string }} }}'.";
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UndeclaredInput,
                $"'inputs.{name}' refers to an input this workflow does not declare. {hint}");
        }
        else if (kind == "steps" && !source.Steps.Any(step => step.Name == name))
        {
            var hint = DidYouMean.Closest(name, source.Steps.Select(step => step.Name).OfType<string>()) is { } match
                ? $"Did you mean '{match}'?"
                : "Use the name of a step of this workflow.";
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UnknownStepReference,
                $"'steps.{name}' refers to a step this workflow does not have. {hint}");
        }
    }

    private void CheckFunctions(YamlScalarNode scalar, string raw, string condition)
    {
        var cursor = 0;
        foreach (Match call in FunctionCall().Matches(WithoutLiterals(condition)))
        {
            var name = call.Groups["name"].Value;
            var (line, column) = Locate(scalar, raw, call.Index, name, ref cursor);
            if (!WorkflowConditions.Functions.Contains(name, StringComparer.Ordinal))
            {
                diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UnknownFunction,
                    $"Conditions have no function '{name}()'.{DidYouMean.Hint(name, WorkflowConditions.Functions)} Use {string.Join(", ", WorkflowConditions.Functions.Select(f => f + "()"))}, or compare steps.<name>.outcome.");
            }
        }
    }

    /// <summary>References (with their offset in the value) inside ${{ }}; in a condition, everywhere outside quoted text.</summary>
    private static IEnumerable<(int Offset, Match Reference)> References(string value, bool isCondition)
    {
        IEnumerable<(int Start, string Body)> bodies = isCondition
            ? [(0, WithoutLiterals(value))]
            : Template().Matches(value).Select(m => (m.Groups["body"].Index, WithoutLiterals(m.Groups["body"].Value)));
        return bodies.SelectMany(body => Reference().Matches(body.Body).Select(match => (body.Start + match.Index, match)));
    }

    /// <summary>
    /// Where a piece of a value is in the file. A value written on one line maps by offset;
    /// block and escaped values are searched; the value's start when the piece cannot be found.
    /// </summary>
    private (int Line, int Column) Locate(YamlScalarNode scalar, string raw, int offset, string piece, ref int cursor)
    {
        var value = scalar.Value ?? string.Empty;
        var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
        if ((!quoted && raw == value) || (quoted && raw.Length == value.Length + 2 && raw[1..^1] == value))
        {
            return text.Position((int)scalar.Start.Index + offset + (quoted ? 1 : 0));
        }
        var at = raw.IndexOf(piece, Math.Min(cursor, raw.Length), StringComparison.Ordinal);
        if (at < 0)
        {
            return ((int)scalar.Start.Line, (int)scalar.Start.Column);
        }
        cursor = at + piece.Length;
        return text.Position((int)scalar.Start.Index + at);
    }

    /// <summary>Every value (not key) scalar of the tree.</summary>
    private static IEnumerable<YamlScalarNode> ValueScalars(YamlNode node) => node switch
    {
        YamlScalarNode scalar => [scalar],
        YamlSequenceNode sequence => sequence.Children.SelectMany(ValueScalars),
        YamlMappingNode mapping => mapping.Children.Values.SelectMany(ValueScalars),
        _ => [],
    };

    /// <summary>Blanks quoted text so that 'steps.x' inside a string literal is not taken for a reference.</summary>
    private static string WithoutLiterals(string expression) =>
        QuotedText().Replace(expression, match => new string(' ', match.Length));

    [GeneratedRegex(@"\$\{\{(?<body>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Template();

    [GeneratedRegex(@"(?<![\w.])(?<root>inputs|steps)\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<![\w.])(?<name>[A-Za-z_]\w*)\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex QuotedText();
}
