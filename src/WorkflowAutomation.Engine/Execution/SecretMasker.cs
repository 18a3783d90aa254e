namespace WorkflowAutomation.Execution;

/// <summary>
/// Replaces secret values by <c>***</c>, as GitHub Actions does: values of inputs marked
/// <c>secret: true</c> and of the environment variables named in SECRET_ENV_VARS, wherever
/// they appear in a log line, an output, an error or a recorded parameter. Each line of a
/// multi-line secret is masked on its own, since logs are kept line by line.
/// </summary>
public sealed class SecretMasker
{
    /// <summary>What a secret value is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Shorter values are not masked: masking "1" or "on" would mask every such text, not a secret.</summary>
    public const int MinimumLength = 3;

    private readonly object gate = new();
    private string[] secrets = [];

    /// <summary>Whether any secret is known.</summary>
    public bool IsEmpty => Volatile.Read(ref secrets).Length == 0;

    /// <summary>Parameters as they are recorded: the values of inputs marked <c>secret: true</c> replaced by <see cref="Mask"/>.</summary>
    public static Dictionary<string, string> RecordedParameters(Workflows.WorkflowDefinition definition, IEnumerable<KeyValuePair<string, string>> parameters) =>
        parameters.ToDictionary(pair => pair.Key,
            pair => definition.Inputs.TryGetValue(pair.Key, out var input) && input.Secret ? Mask : pair.Value,
            StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a value (and each of its lines) to mask from now on.</summary>
    public void Add(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        var parts = value.Split('\n').Select(part => part.TrimEnd('\r')).Append(value).Where(part => part.Trim().Length >= MinimumLength);
        lock (gate)
        {
            // Longest first, so that a secret containing another is masked whole.
            secrets = secrets.Concat(parts).Distinct(StringComparer.Ordinal).OrderByDescending(part => part.Length).ToArray();
        }
    }

    /// <summary>The text with every secret replaced by <see cref="Mask"/>.</summary>
    public string? Apply(string? text)
    {
        var known = Volatile.Read(ref secrets);
        if (string.IsNullOrEmpty(text) || known.Length == 0)
        {
            return text;
        }
        foreach (var secret in known)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }
        return text;
    }
}
