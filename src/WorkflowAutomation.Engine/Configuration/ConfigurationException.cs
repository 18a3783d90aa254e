using WorkflowAutomation.Common;

namespace WorkflowAutomation.Configuration;

/// <summary>A configuration value that is not allowed, or a key that does not exist.</summary>
public sealed class ConfigurationException : WorkflowAutomationException
{
    public ConfigurationException(string message, string? key = null, string? file = null, int line = 0)
        : base(key is not null && ConfigurationKeys.Find(key) is null ? ErrorIds.ConfigurationKeyUnknown : ErrorIds.ConfigurationValueInvalid, ErrorKind.InvalidArgument, message)
    {
        Key = key;
        File = file;
        Line = line;
    }

    public string? Key { get; }
    public string? File { get; }
    public int Line { get; }
}
