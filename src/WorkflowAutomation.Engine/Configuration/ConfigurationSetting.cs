using WorkflowAutomation.Common;

namespace WorkflowAutomation.Configuration;

/// <summary>Where a configuration value came from, highest precedence last.</summary>
public enum ConfigurationSource
{
    Default,
    File,
    Environment,
}

/// <summary>One resolved configuration value, as Get-WorkflowConfiguration shows it.</summary>
public sealed class ConfigurationSetting
{
    public required string Key { get; init; }
    public required object Value { get; init; }
    public required ConfigurationSource Source { get; init; }
    public required string Default { get; init; }
    public required string Allowed { get; init; }
    public required string Description { get; init; }

    public override string ToString() => $"{Key}={Value}";
}

/// <summary>A configuration value that is not allowed, or a key that does not exist.</summary>
public sealed class ConfigurationException : WorkflowAutomationException
{
    public ConfigurationException(string message, string? key = null, string? file = null, int line = 0)
        : base(key is not null && ConfigurationKeys.Find(key) is null ? "ConfigurationKeyUnknown" : "ConfigurationValueInvalid", ErrorKind.InvalidArgument, message)
    {
        Key = key;
        File = file;
        Line = line;
    }

    public string? Key { get; }
    public string? File { get; }
    public int Line { get; }
}
