namespace WorkflowAutomation.Platform;

/// <summary>Environment variables, injected so that tests need not change the process's own.</summary>
public interface IEnvironment
{
    string? Get(string name);
}

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    public static readonly ProcessEnvironment Instance = new();

    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>A fixed set of variables, for tests and for hosts that build their own.</summary>
public sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string> values) : IEnvironment
{
    public string? Get(string name) => values.TryGetValue(name, out var value) ? value : null;
}
