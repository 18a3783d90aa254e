using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Workflows.Expressions;

/// <summary>What an expression can read: named values by path, and the status functions.</summary>
public interface IExpressionContext
{
    /// <summary>The value at a path such as ["steps", "build", "outputs", "version"]; null when absent.</summary>
    object? Resolve(IReadOnlyList<string> path);

    /// <summary>success(), failure(), always() or cancelled() for the step being decided.</summary>
    bool StatusFunction(string name);

    /// <summary>The shell of the step being interpolated, which quote() quotes for; null outside a step.</summary>
    StepShell? Shell => null;

    /// <summary>What quote() makes of a value: one literal word of the step's shell.</summary>
    string Quote(string value) => Shell is { } shell
        ? ShellQuote.Quote(value, shell)
        : throw new ExpressionException("quote() quotes for a step's shell: use it in a step's command, rollback or env.");
}

/// <summary>
/// The expression language of conditions and <c>${{ ... }}</c>, as GitHub Actions users
/// know it: literals ('text', 42, true, null), paths (inputs.x, steps.build.outputs.y,
/// steps.build.outcome, env.X), == != &lt; &lt;= &gt; &gt;=, &amp;&amp; || !, parentheses, and
/// the functions success() failure() always() cancelled() contains() startsWith() endsWith(),
/// and quote(), which quotes a value for the step's shell.
/// Strings compare case-insensitively; mixed types compare as numbers.
/// </summary>
public static class Expression
{
    private static readonly string[] StatusFunctions = ["success", "failure", "always", "cancelled"];

    /// <summary>The longest expression evaluated, in characters: a condition or a ${{ }} body is a line or two.</summary>
    public const int MaxLength = 10_000;

    /// <summary>
    /// How deep parentheses, function calls, '[ ]' and '!' may nest. The parser recurses on
    /// them, so this bound is what keeps any expression from overflowing the stack.
    /// </summary>
    public const int MaxNesting = 64;

    /// <summary>Evaluates an expression to a value (string, double, bool or null).</summary>
    /// <exception cref="ExpressionException">The expression is malformed, too long, too deeply nested or calls an unknown function.</exception>
    public static object? Evaluate(string expression, IExpressionContext context)
    {
        if (expression.Length > MaxLength)
        {
            throw new ExpressionLimitException(
                $"An expression may be at most {MaxLength:N0} characters long; this one has {expression.Length:N0}. Shorten it, or compute the value in a step and read its output.");
        }
        return new Parser(Unwrap(expression), context).ParseAll();
    }

    /// <summary>Evaluates an expression as a condition (truthiness as in GitHub Actions).</summary>
    public static bool IsTrue(string expression, IExpressionContext context) => Truthy(Evaluate(expression, context));

    /// <summary>True when the expression calls always(), failure() or cancelled(): it may run after a failure.</summary>
    public static bool RunsAfterFailure(string? expression) =>
        expression is not null && StatusFunctions.Skip(1).Any(name =>
            System.Text.RegularExpressions.Regex.IsMatch(expression, $@"\b{name}\s*\(", System.Text.RegularExpressions.RegexOptions.IgnoreCase));

    /// <summary>Replaces every <c>${{ expression }}</c> in a text with its value.</summary>
    public static string Interpolate(string text, IExpressionContext context)
    {
        if (!text.Contains("${{", StringComparison.Ordinal))
        {
            return text;
        }
        var builder = new System.Text.StringBuilder();
        var position = 0;
        while (true)
        {
            var start = text.IndexOf("${{", position, StringComparison.Ordinal);
            if (start < 0)
            {
                builder.Append(text, position, text.Length - position);
                return builder.ToString();
            }
            var end = text.IndexOf("}}", start + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new ExpressionException($"'${{{{' at position {start} is never closed with '}}}}'.");
            }
            builder.Append(text, position, start - position);
            builder.Append(Format(Evaluate(text[(start + 3)..end], context)));
            position = end + 2;
        }
    }

    /// <summary>A value as text: true/false, invariant numbers, empty for null.</summary>
    public static string Format(object? value) => value switch
    {
        null => string.Empty,
        bool flag => flag ? "true" : "false",
        double number => number.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        double number => number != 0 && !double.IsNaN(number),
        string text => text.Length > 0,
        _ => true,
    };

    private static string Unwrap(string expression)
    {
        var trimmed = expression.Trim();
        return trimmed.StartsWith("${{", StringComparison.Ordinal) && trimmed.EndsWith("}}", StringComparison.Ordinal)
            && trimmed.IndexOf("${{", 3, StringComparison.Ordinal) < 0
            ? trimmed[3..^2]
            : trimmed;
    }

    private static double ToNumber(object? value) => value switch
    {
        null => 0,
        bool flag => flag ? 1 : 0,
        double number => number,
        string text when text.Trim().Length == 0 => 0,
        string text => double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN,
        _ => double.NaN,
    };

    private static int? Compare(object? left, object? right)
    {
        if (left is string a && right is string b)
        {
            return string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
        }
        if (left is null && right is null)
        {
            return 0;
        }
        var x = ToNumber(left);
        var y = ToNumber(right);
        return double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y);
    }

    private sealed class Parser(string text, IExpressionContext context)
    {
        private int position;
        private int depth;

        public object? ParseAll()
        {
            var value = ParseOr();
            SkipSpace();
            if (position < text.Length)
            {
                throw Error($"unexpected '{text[position..]}'");
            }
            return value;
        }

        private object? ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                var right = ParseAnd();
                left = Truthy(left) ? left : right;
            }
            return left;
        }

        private object? ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("&&"))
            {
                var right = ParseUnary();
                left = !Truthy(left) ? left : right;
            }
            return left;
        }

        /// <summary>A run of '!' is counted, not recursed into; each '!' still counts toward the nesting bound.</summary>
        private object? ParseUnary()
        {
            var negations = 0;
            while (Accept("!"))
            {
                negations++;
                if (depth + negations > MaxNesting)
                {
                    throw TooDeep();
                }
            }
            if (negations == 0)
            {
                return ParseComparison();
            }
            depth += negations;
            var value = ParseComparison();
            depth -= negations;
            var truth = Truthy(value);
            return negations % 2 == 1 ? !truth : truth;
        }

        /// <summary>Parses a nested expression (inside parentheses, brackets or a call's arguments) one level deeper.</summary>
        private object? ParseNested()
        {
            if (++depth > MaxNesting)
            {
                throw TooDeep();
            }
            var value = ParseOr();
            depth--;
            return value;
        }

        private static ExpressionLimitException TooDeep() =>
            new($"An expression may nest parentheses, calls and '!' at most {MaxNesting} deep; this one goes deeper. Simplify it.");

        private object? ParseComparison()
        {
            var left = ParsePrimary();
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (Accept(op))
                {
                    var right = ParsePrimary();
                    var order = Compare(left, right);
                    return op switch
                    {
                        "==" => order == 0,
                        "!=" => order != 0,
                        "<" => order < 0,
                        "<=" => order <= 0,
                        ">" => order > 0,
                        _ => order >= 0,
                    };
                }
            }
            return left;
        }

        private object? ParsePrimary()
        {
            SkipSpace();
            if (position >= text.Length)
            {
                throw Error("the expression ends too early");
            }
            var c = text[position];
            if (Accept("("))
            {
                var inner = ParseNested();
                Expect(")");
                return inner;
            }
            if (c is '\'' or '"')
            {
                return ParseString(c);
            }
            if (char.IsDigit(c) || (c is '-' or '.' && position + 1 < text.Length && char.IsDigit(text[position + 1])))
            {
                var start = position++;
                while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '.' or '_'))
                {
                    position++;
                }
                var literal = text[start..position];
                return double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : throw Error($"'{literal}' is not a number");
            }
            var name = Identifier();
            SkipSpace();
            if (Accept("("))
            {
                return Call(name);
            }
            switch (name.ToLowerInvariant())
            {
                case "true": return true;
                case "false": return false;
                case "null": return null;
            }
            var path = new List<string> { name };
            while (true)
            {
                if (Accept("."))
                {
                    path.Add(Identifier());
                }
                else if (Accept("["))
                {
                    path.Add(Format(ParseNested()));
                    Expect("]");
                }
                else
                {
                    return context.Resolve(path);
                }
            }
        }

        private object? Call(string name)
        {
            var arguments = new List<object?>();
            SkipSpace();
            if (!Accept(")"))
            {
                do
                {
                    arguments.Add(ParseNested());
                }
                while (Accept(","));
                Expect(")");
            }
            var lower = name.ToLowerInvariant();
            if (StatusFunctions.Contains(lower))
            {
                return arguments.Count == 0 ? context.StatusFunction(lower) : throw Error($"{name}() takes no arguments");
            }
            string Argument(int index) => arguments.Count > index ? Format(arguments[index]) : throw Error($"{name}() needs {index + 1} arguments");
            return lower switch
            {
                "contains" => Argument(0).Contains(Argument(1), StringComparison.OrdinalIgnoreCase),
                "startswith" => Argument(0).StartsWith(Argument(1), StringComparison.OrdinalIgnoreCase),
                "endswith" => Argument(0).EndsWith(Argument(1), StringComparison.OrdinalIgnoreCase),
                "quote" when arguments.Count == 1 => context.Quote(Argument(0)),
                "quote" => throw Error("quote() takes one argument"),
                _ => throw Error($"unknown function '{name}()'. Known: {string.Join(", ", WorkflowConditions.Functions)}"),
            };
        }

        private string ParseString(char quote)
        {
            position++;
            var builder = new System.Text.StringBuilder();
            while (position < text.Length)
            {
                var c = text[position++];
                if (c == quote)
                {
                    // A doubled quote stands for itself, as in GitHub Actions: 'it''s'.
                    if (position < text.Length && text[position] == quote)
                    {
                        builder.Append(quote);
                        position++;
                        continue;
                    }
                    return builder.ToString();
                }
                builder.Append(c);
            }
            throw Error("a string is never closed");
        }

        private string Identifier()
        {
            SkipSpace();
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '_' or '-'))
            {
                position++;
            }
            return position > start ? text[start..position] : throw Error(position < text.Length ? $"unexpected '{text[position]}'" : "the expression ends too early");
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, position, token, 0, token.Length) == 0)
            {
                // '!' must not swallow the start of '!='; '<' and '>' are tried after '<=' and '>='.
                if (token == "!" && position + 1 < text.Length && text[position + 1] == '=')
                {
                    return false;
                }
                position += token.Length;
                return true;
            }
            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw Error($"'{token}' expected");
            }
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private ExpressionException Error(string what) => new($"In expression '{text.Trim()}': {what}.");
    }
}

/// <summary>An expression in a condition or a <c>${{ }}</c> could not be evaluated.</summary>
public class ExpressionException(string message)
    : WorkflowAutomationException(ErrorIds.WorkflowExpressionInvalid, ErrorKind.InvalidData, message);

/// <summary>An expression is longer or nests deeper than <see cref="Expression"/> allows; the message says which bound.</summary>
public sealed class ExpressionLimitException(string message) : ExpressionException(message);
