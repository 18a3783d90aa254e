using System.Management.Automation;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Changes a setting in the configuration file of the state directory.</summary>
/// <remarks>
/// The value is checked before anything is written: a value outside the allowed range is
/// refused with an error that names the key and what it allows. The file keeps its
/// comments and order. An environment variable of the same name still overrides the file.
/// </remarks>
/// <example>
/// <code>Set-WorkflowConfiguration -Name MAX_PARALLEL_WORKFLOWS -Value 8</code>
/// <para>Lets the daemon run at most eight workflows at once.</para>
/// </example>
/// <example>
/// <code>Import-Csv settings.csv | Set-WorkflowConfiguration -PassThru</code>
/// <para>Applies Name/Value pairs from a file and shows the result.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "WorkflowConfiguration", SupportsShouldProcess = true)]
[OutputType(typeof(ConfigurationSetting))]
public sealed class SetWorkflowConfigurationCommand : WorkflowCmdlet
{
    /// <summary>The setting to change, such as DASHBOARD_PORT.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [ArgumentCompleter(typeof(ConfigurationKeyCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The new value, checked against what the setting allows.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public object Value { get; set; } = string.Empty;

    /// <summary>Writes the resulting setting to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var key = WorkflowConfiguration.RequireKey(Name);
        var text = LanguagePrimitives.ConvertTo<string>(Value is PSObject wrapped ? wrapped.BaseObject : Value);
        if (Value is bool flag)
        {
            text = flag ? "true" : "false";
        }
        if (!ShouldProcess(State.ConfigurationFile, $"Set {key.Name} to '{text}'"))
        {
            return;
        }
        WorkflowConfiguration.Set(State, new Dictionary<string, string> { [key.Name] = text });
        if (PassThru)
        {
            WriteObject(WorkflowConfiguration.Load(State).Settings.Single(s => s.Key == key.Name));
        }
    }
}
