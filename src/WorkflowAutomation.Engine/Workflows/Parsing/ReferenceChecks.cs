using System.Text.RegularExpressions;
using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows.Expressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>
/// Checks the expressions of a workflow: every <c>${{ ... }}</c> in any value, and each step's
/// condition. <c>inputs.x</c> must name a declared input, <c>steps.x</c> a step, functions
/// must exist, and the expression must parse. Each finding points at the offending text
/// itself, not just at the value holding it.
/// </summary>
internal sealed partial class ReferenceChecks(WorkflowSource source, SourceText text, DiagnosticBag diagnostics)
{
    /// <summary>Deeper nesting is refused before parsing: the expression parser recurses.</summary>
    private const int MaxNesting = 64;

    private readonly HashSet<string> stepNames = source.Steps.Select(step => step.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);

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
            var site = new Site(scalar, text.Slice(scalar.Start.Index, scalar.End.Index));
            foreach (var (offset, expression) in Expressions(value, isCondition))
            {
                CheckExpression(site, offset, expression);
            }
            if (!isCondition && UnclosedTemplate().Match(value) is { Success: true } unclosed)
            {
                var (line, column) = Locate(site, unclosed.Index, "${{");
                diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression,
                    "This '${{' is never closed. End the expression with '}}'.");
            }
        }
    }

    /// <summary>A value being checked, with its raw text in the file and a search position.</summary>
    private sealed class Site(YamlScalarNode scalar, string raw)
    {
        public YamlScalarNode Scalar { get; } = scalar;
        public string Raw { get; } = raw;
        public int Cursor { get; set; }
    }

    private void CheckExpression(Site site, int offset, string expression)
    {
        var bare = WithoutLiterals(expression);
        foreach (Match reference in Reference().Matches(bare))
        {
            CheckReference(site, offset + reference.Index, reference);
        }
        var known = true;
        foreach (Match call in FunctionCall().Matches(bare))
        {
            known &= CheckFunction(site, offset + call.Index, call.Groups["name"].Value);
        }
        if (known)
        {
            CheckSyntax(site, offset, expression);
        }
    }

    private void CheckReference(Site site, int offset, Match reference)
    {
        var kind = reference.Groups["root"].Value;
        var name = reference.Groups["name"].Value;
        var (line, column) = Locate(site, offset, reference.Value);
        if (kind == "inputs" && !source.Inputs.ContainsKey(name))
        {
            var hint = DidYouMean.Closest(name, source.Inputs.Keys) is { } match
                ? $"Did you mean '{match}'?"
                : $"Declare it under 'inputs:', such as 'inputs: {{ {name}: {{ type: string }} }}'.";
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UndeclaredInput,
                $"'inputs.{name}' refers to an input this workflow does not declare. {hint}");
        }
        else if (kind == "steps" && !stepNames.Contains(name))
        {
            var hint = DidYouMean.Closest(name, source.Steps.Select(step => step.Name).OfType<string>()) is { } match
                ? $"Did you mean '{match}'?"
                : "Use the name of a step of this workflow.";
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UnknownStepReference,
                $"'steps.{name}' refers to a step this workflow does not have. {hint}");
        }
    }

    private bool CheckFunction(Site site, int offset, string name)
    {
        if (WorkflowConditions.Functions.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }
        var (line, column) = Locate(site, offset, name);
        diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.UnknownFunction,
            $"Expressions have no function '{name}()'.{DidYouMean.Hint(name, WorkflowConditions.Functions)} Use one of {string.Join(", ", WorkflowConditions.Functions.Select(f => f + "()"))}.");
        return false;
    }

    /// <summary>Parses the expression the way a run will (nothing is resolved), so a malformed one fails now, not mid-run.</summary>
    private void CheckSyntax(Site site, int offset, string expression)
    {
        var depth = 0;
        foreach (var character in expression)
        {
            depth += character == '(' ? 1 : character == ')' ? -1 : 0;
            if (depth > MaxNesting)
            {
                var (line, column) = Locate(site, offset, expression.Trim());
                diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression,
                    $"This expression nests parentheses more than {MaxNesting} deep. Simplify it.");
                return;
            }
        }
        try
        {
            Expression.Evaluate(expression, SyntaxOnly.Instance);
        }
        catch (ExpressionException exception)
        {
            var start = offset + (expression.Length - expression.TrimStart().Length);
            var (line, column) = Locate(site, start, expression.Trim());
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression,
                $"{exception.Message.TrimEnd('.')}. Fix the expression: operators are == != < <= > >= && || ! and parentheses; text is quoted with '.");
        }
    }

    /// <summary>Each expression with its offset in the value: the condition itself, or the body of each ${{ }}.</summary>
    private static IEnumerable<(int Offset, string Expression)> Expressions(string value, bool isCondition) =>
        isCondition
            ? [(0, value)]
            : Template().Matches(value).Select(match => (match.Groups["body"].Index, match.Groups["body"].Value));

    /// <summary>
    /// Where a piece of a value is in the file. A value written on one line maps by offset;
    /// block and escaped values are searched; the value's start when the piece cannot be found.
    /// </summary>
    private (int Line, int Column) Locate(Site site, int offset, string piece)
    {
        var scalar = site.Scalar;
        var value = scalar.Value ?? string.Empty;
        var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
        if ((!quoted && site.Raw == value) || (quoted && site.Raw.Length == value.Length + 2 && site.Raw[1..^1] == value))
        {
            return text.Position((int)scalar.Start.Index + offset + (quoted ? 1 : 0));
        }
        var at = site.Raw.IndexOf(piece, Math.Min(site.Cursor, site.Raw.Length), StringComparison.Ordinal);
        if (at < 0)
        {
            return ((int)scalar.Start.Line, (int)scalar.Start.Column);
        }
        site.Cursor = at + piece.Length;
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

    /// <summary>Resolves nothing: only the shape of an expression is checked.</summary>
    private sealed class SyntaxOnly : IExpressionContext
    {
        public static readonly SyntaxOnly Instance = new();

        public object? Resolve(IReadOnlyList<string> path) => null;

        public bool StatusFunction(string name) => true;
    }

    [GeneratedRegex(@"\$\{\{(?<body>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Template();

    [GeneratedRegex(@"\$\{\{(?!.*?\}\})", RegexOptions.Singleline)]
    private static partial Regex UnclosedTemplate();

    [GeneratedRegex(@"(?<![\w.])(?<root>inputs|steps)\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<![\w.])(?<name>[A-Za-z_]\w*)\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex QuotedText();
}
