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
internal sealed partial class ReferenceChecks(WorkflowSource source, SourceText text, DiagnosticBag diagnostics, bool strictInterpolation)
{
    private readonly HashSet<string> stepNames = source.Steps.Select(step => step.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);

    public void Run()
    {
        var conditions = source.Steps.Select(step => step.ConditionNode).OfType<YamlScalarNode>().ToHashSet(ReferenceEqualityComparer.Instance);
        var commands = new Dictionary<YamlNode, StepSource>(ReferenceEqualityComparer.Instance);
        foreach (var step in source.Steps)
        {
            step.CommandNodes.ForEach(node => commands.TryAdd(node, step));
        }
        foreach (var scalar in ValueScalars(source.Root))
        {
            var isCondition = conditions.Contains(scalar);
            if (scalar.Value is not { } value || (!isCondition && !value.Contains("${{", StringComparison.Ordinal)))
            {
                continue;
            }
            var site = new Site(scalar, text.Slice(scalar.Start.Index, scalar.End.Index), commands.GetValueOrDefault(scalar));
            var (expressions, unclosed) = isCondition ? ([(0, value)], -1) : Templates(value);
            foreach (var (offset, expression) in expressions)
            {
                CheckExpression(site, offset, expression);
            }
            if (unclosed >= 0)
            {
                var (line, column) = Locate(site, unclosed, "${{");
                diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression,
                    "This '${{' is never closed. End the expression with '}}'.");
            }
        }
    }

    /// <summary>A value being checked, with its raw text in the file and a search position.</summary>
    private sealed class Site(YamlScalarNode scalar, string raw, StepSource? commandOf)
    {
        public YamlScalarNode Scalar { get; } = scalar;
        public string Raw { get; } = raw;
        /// <summary>The step whose command or rollback this is; null for any other value.</summary>
        public StepSource? CommandOf { get; } = commandOf;
        public int Cursor { get; set; }
    }

    private void CheckExpression(Site site, int offset, string expression)
    {
        if (expression.Length > Expression.MaxLength)
        {
            // Reported by the parser's own bound, before any scan of a text that size.
            CheckSyntax(site, offset, expression);
            return;
        }
        var findings = diagnostics.Count;
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
        // Only a well-formed expression about known names is checked for what it pastes.
        if (known && CheckSyntax(site, offset, expression) && site.CommandOf is { } step && diagnostics.Count == findings)
        {
            CheckInterpolation(site, step, offset, expression);
        }
    }

    private void CheckInterpolation(Site site, StepSource step, int offset, string expression)
    {
        if (InterpolationCheck.UntrustedValue(expression, source) is not { } path)
        {
            return;
        }
        var strict = strictInterpolation || source.Strict;
        var (line, column) = Locate(site, offset + (expression.Length - expression.TrimStart().Length), expression.Trim());
        diagnostics.Add(line, column, strict ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, WorkflowDiagnosticCode.UnsafeInterpolation,
            InterpolationCheck.Message(expression, path, step.Step?.Shell ?? StepShell.Pwsh, strict));
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
    private bool CheckSyntax(Site site, int offset, string expression)
    {
        try
        {
            Expression.Evaluate(expression, SyntaxOnly.Instance);
            return true;
        }
        catch (ExpressionLimitException exception)
        {
            var (line, column) = Locate(site, offset + (expression.Length - expression.TrimStart().Length), expression.Trim());
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression, exception.Message);
            return false;
        }
        catch (ExpressionException exception)
        {
            var start = offset + (expression.Length - expression.TrimStart().Length);
            var (line, column) = Locate(site, start, expression.Trim());
            diagnostics.Add(line, column, DiagnosticSeverity.Error, WorkflowDiagnosticCode.InvalidExpression,
                $"{exception.Message.TrimEnd('.')}. Fix the expression: operators are == != < <= > >= && || ! and parentheses; text is quoted with '.");
            return false;
        }
    }

    /// <summary>
    /// The body of each ${{ }} with its offset in the value, and the offset of a '${{' that is
    /// never closed (-1 when none). One pass: a value full of '${{' costs its length, not its square.
    /// </summary>
    private static (List<(int Offset, string Expression)> Expressions, int Unclosed) Templates(string value)
    {
        var found = new List<(int, string)>();
        var position = 0;
        while (value.IndexOf("${{", position, StringComparison.Ordinal) is var start and >= 0)
        {
            var end = value.IndexOf("}}", start + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                return (found, start);
            }
            found.Add((start + 3, value[(start + 3)..end]));
            position = end + 2;
        }
        return (found, -1);
    }

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

    /// <summary>
    /// Every value (not key) scalar of the tree, each once: a node reached again through an
    /// alias is not walked again, so aliases of aliases cost their size, not its powers.
    /// </summary>
    private static IEnumerable<YamlScalarNode> ValueScalars(YamlNode root)
    {
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }
            switch (node)
            {
                case YamlScalarNode scalar:
                    yield return scalar;
                    break;
                case YamlSequenceNode sequence:
                    PushReversed(pending, sequence.Children);
                    break;
                case YamlMappingNode mapping:
                    PushReversed(pending, mapping.Children.Values.ToList());
                    break;
            }
        }
    }

    /// <summary>Children pushed last-first, so values come out in file order.</summary>
    private static void PushReversed(Stack<YamlNode> pending, IList<YamlNode> children)
    {
        for (var i = children.Count - 1; i >= 0; i--)
        {
            pending.Push(children[i]);
        }
    }

    /// <summary>Blanks quoted text so that 'steps.x' inside a string literal is not taken for a reference.</summary>
    private static string WithoutLiterals(string expression) =>
        QuotedText().Replace(expression, match => new string(' ', match.Length));

    /// <summary>Resolves nothing: only the shape of an expression is checked.</summary>
    private sealed class SyntaxOnly : IExpressionContext
    {
        public static readonly SyntaxOnly Instance = new();

        public object? Resolve(IReadOnlyList<string> path) => null;

        public bool StatusFunction(string name) => true;

        public string Quote(string value) => value;
    }

    [GeneratedRegex(@"(?<![\w.])(?<root>inputs|steps)\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<![\w.])(?<name>[A-Za-z_]\w*)\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex QuotedText();
}
