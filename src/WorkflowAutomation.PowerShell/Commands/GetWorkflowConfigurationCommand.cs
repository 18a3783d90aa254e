using System.Management.Automation;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets the configuration in force and where each value comes from.</summary>
/// <remarks>
/// Values come from the defaults, overridden by the configuration file in the state
/// directory, overridden by an environment variable of the same name. Each setting shows
/// its value, its source, its default and what values it allows.
/// </remarks>
/// <example>
/// <code>Get-WorkflowConfiguration</code>
/// <para>Lists every setting with its value and source.</para>
/// </example>
/// <example>
/// <code>(Get-WorkflowConfiguration -Name MAX_PARALLEL_WORKERS).Value</code>
/// <para>Reads one value for use in a script.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "WorkflowConfiguration")]
[OutputType(typeof(ConfigurationSetting))]
public sealed class GetWorkflowConfigurationCommand : WorkflowCmdlet
{
    /// <summary>Names of the settings to get; wildcards are allowed. All settings when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [ArgumentCompleter(typeof(ConfigurationKeyCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void Process()
    {
        var settings = Configuration.Settings;
        if (Name is null)
        {
            WriteObject(settings, enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = settings.Where(s => pattern.IsMatch(s.Key)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteItemError(new ConfigurationException(WorkflowConfigurationKeyMessage(name), name), name);
            }
            WriteObject(matches, enumerateCollection: true);
        }
    }

    private static string WorkflowConfigurationKeyMessage(string name)
    {
        try
        {
            WorkflowConfiguration.RequireKey(name);
            return name;
        }
        catch (ConfigurationException exception)
        {
            return exception.Message;
        }
    }
}
