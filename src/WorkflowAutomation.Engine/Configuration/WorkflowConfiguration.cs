using WorkflowAutomation.Common;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Configuration;

/// <summary>
/// The configuration in force: defaults, overridden by the file in the state directory,
/// overridden by environment variables of the same name. Resolved here and nowhere else.
/// </summary>
public sealed class WorkflowConfiguration
{
    private readonly Dictionary<string, ConfigurationSetting> settings;

    private WorkflowConfiguration(Dictionary<string, ConfigurationSetting> settings)
    {
        this.settings = settings;
    }

    public IReadOnlyList<ConfigurationSetting> Settings => ConfigurationKeys.All.Select(key => settings[key.Name]).ToList();

    public int MaxParallelWorkflows => (int)this[ConfigurationKeys.MaxParallelWorkflows];
    public int MaxParallelWorkers => (int)this[ConfigurationKeys.MaxParallelWorkers];
    public int MetricsRetentionDays => (int)this[ConfigurationKeys.MetricsRetentionDays];
    public int CircuitBreakerThreshold => (int)this[ConfigurationKeys.CircuitBreakerThreshold];
    public TimeSpan CircuitBreakerDuration => (TimeSpan)this[ConfigurationKeys.CircuitBreakerDuration];
    public TimeSpan HealthCheckInterval => (TimeSpan)this[ConfigurationKeys.HealthCheckInterval];
    public int AutoRestartMaxPerHour => (int)this[ConfigurationKeys.AutoRestartMaxPerHour];
    public int DashboardPort => (int)this[ConfigurationKeys.DashboardPort];

    /// <summary>The address the dashboard listens on (DASHBOARD_BIND).</summary>
    public string DashboardBind => (string)this[ConfigurationKeys.DashboardBind];
    public bool ChaosEnabled => (bool)this[ConfigurationKeys.ChaosEnabled];
    public TimeSpan MetricsInterval => (TimeSpan)this[ConfigurationKeys.MetricsInterval];
    public string SmtpServer => (string)this[ConfigurationKeys.SmtpServer];
    public int SmtpPort => (int)this[ConfigurationKeys.SmtpPort];
    public string SmtpFrom => (string)this[ConfigurationKeys.SmtpFrom];
    public bool SmtpUseSsl => (bool)this[ConfigurationKeys.SmtpUseSsl];
    public bool StrictInterpolation => (bool)this[ConfigurationKeys.StrictInterpolation];

    /// <summary>The names listed in SECRET_ENV_VARS.</summary>
    public IReadOnlyList<string> SecretEnvVars =>
        ((string)this[ConfigurationKeys.SecretEnvVars]).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public object this[ConfigurationKey key] => settings[key.Name].Value;

    /// <summary>Loads the configuration of a state directory (the file need not exist).</summary>
    public static WorkflowConfiguration Load(StateDirectory state, IEnvironment? environment = null)
    {
        environment ??= ProcessEnvironment.Instance;
        var file = ConfigurationFile.Read(state.ConfigurationFile);
        var resolved = new Dictionary<string, ConfigurationSetting>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in ConfigurationKeys.All)
        {
            var (text, source) = (key.DefaultText, ConfigurationSource.Default);
            if (file.Values.TryGetValue(key.Name, out var line))
            {
                (text, source) = (line.Value, ConfigurationSource.File);
            }
            var fromEnvironment = environment.Get(key.Name);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                (text, source) = (fromEnvironment, ConfigurationSource.Environment);
            }
            var value = key.TryParse(text) ?? throw Invalid(key, text, source, state.ConfigurationFile, line?.Number ?? 0);
            resolved[key.Name] = new ConfigurationSetting
            {
                Key = key.Name,
                Value = value,
                Source = source,
                Default = key.DefaultText,
                Allowed = key.Allowed,
                Description = key.Description,
            };
        }
        return new WorkflowConfiguration(resolved);
    }

    /// <summary>Validates and writes values to the configuration file, keeping its comments and order.</summary>
    public static void Set(StateDirectory state, IReadOnlyDictionary<string, string> values)
    {
        var parsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, text) in values)
        {
            var key = RequireKey(name);
            if (key.TryParse(text) is null)
            {
                throw new ConfigurationException(
                    $"'{text}' is not a valid value for {key.Name}: it must be {key.Allowed}.", key.Name);
            }
            parsed[key.Name] = text.Trim();
        }
        state.EnsureCreated();
        ConfigurationFile.Write(state.ConfigurationFile, parsed);
    }

    /// <summary>Writes the default configuration file if there is none.</summary>
    public static bool WriteDefaultFile(StateDirectory state)
    {
        state.EnsureCreated();
        if (File.Exists(state.ConfigurationFile))
        {
            return false;
        }
        ConfigurationFile.Write(state.ConfigurationFile, new Dictionary<string, string>());
        return true;
    }

    public static ConfigurationKey RequireKey(string name) =>
        ConfigurationKeys.Find(name) ?? throw new ConfigurationException(
            $"'{name}' is not a configuration key.{DidYouMean.Hint(name, ConfigurationKeys.All.Select(k => k.Name))} " +
            $"Known keys: {string.Join(", ", ConfigurationKeys.All.Select(k => k.Name))}.", name);

    private static ConfigurationException Invalid(ConfigurationKey key, string text, ConfigurationSource source, string file, int line)
    {
        var where = source switch
        {
            ConfigurationSource.Environment => $"the environment variable {key.Name}",
            _ => $"{file}:{line}",
        };
        return new ConfigurationException(
            $"'{text}' is not a valid value for {key.Name} (from {where}): it must be {key.Allowed}. " +
            $"Fix it with Set-WorkflowConfiguration -Name {key.Name} -Value <value>.",
            key.Name, source == ConfigurationSource.File ? file : null, line);
    }
}
