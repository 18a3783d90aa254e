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
