using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Tests.Configuration;

public sealed class WorkflowConfigurationTests : IDisposable
{
    private readonly TempFolder folder = new();
    private static readonly IEnvironment NoEnvironment = new DictionaryEnvironment(new Dictionary<string, string>());

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Defaults_match_the_seed()
    {
        var configuration = WorkflowConfiguration.Load(folder.State, NoEnvironment);
        Assert.Equal(20, configuration.MaxParallelWorkflows);
        Assert.Equal(Environment.ProcessorCount, configuration.MaxParallelWorkers);
        Assert.Equal(30, configuration.MetricsRetentionDays);
        Assert.Equal(5, configuration.CircuitBreakerThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), configuration.HealthCheckInterval);
        Assert.Equal(10, configuration.AutoRestartMaxPerHour);
        Assert.Equal(8080, configuration.DashboardPort);
        Assert.False(configuration.ChaosEnabled);
        Assert.All(configuration.Settings, s => Assert.Equal(ConfigurationSource.Default, s.Source));
    }

    [Fact]
    public void Environment_overrides_file_which_overrides_defaults()
    {
        WorkflowConfiguration.Set(folder.State, new Dictionary<string, string> { ["DASHBOARD_PORT"] = "9000", ["CHAOS_ENABLED"] = "true" });
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["DASHBOARD_PORT"] = "9100" });
        var configuration = WorkflowConfiguration.Load(folder.State, environment);
        Assert.Equal(9100, configuration.DashboardPort);
        Assert.True(configuration.ChaosEnabled);
        Assert.Equal(ConfigurationSource.File, configuration.Settings.Single(s => s.Key == "CHAOS_ENABLED").Source);
    }

    [Fact]
    public void Durations_accept_units()
    {
        WorkflowConfiguration.Set(folder.State, new Dictionary<string, string> { ["HEALTH_CHECK_INTERVAL"] = "2m" });
        Assert.Equal(TimeSpan.FromMinutes(2), WorkflowConfiguration.Load(folder.State, NoEnvironment).HealthCheckInterval);
    }

    [Fact]
    public void Invalid_value_names_key_and_range_and_writes_nothing()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            WorkflowConfiguration.Set(folder.State, new Dictionary<string, string> { ["MAX_PARALLEL_WORKFLOWS"] = "0" }));
        Assert.Contains("MAX_PARALLEL_WORKFLOWS", error.Message);
        Assert.Contains("from 1 to 1000", error.Message);
        Assert.Equal("ConfigurationValueInvalid", error.ErrorId);
        Assert.False(File.Exists(folder.State.ConfigurationFile));
    }

    [Fact]
    public void Bad_line_in_file_reports_file_and_line()
    {
        WorkflowConfiguration.WriteDefaultFile(folder.State);
        var lines = File.ReadAllLines(folder.State.ConfigurationFile).Append("DASHBOARD_PORT=http").ToArray();
        File.WriteAllLines(folder.State.ConfigurationFile, lines);
        var error = Assert.Throws<ConfigurationException>(() => WorkflowConfiguration.Load(folder.State, NoEnvironment));
        Assert.Equal(lines.Length, error.Line);
        Assert.Contains($"workflow.conf:{lines.Length}", error.Message);
    }

    [Fact]
    public void Unknown_key_in_file_suggests_the_closest()
    {
        File.WriteAllText(folder.State.ConfigurationFile, "DASHBORD_PORT=1\n");
        var error = Assert.Throws<ConfigurationException>(() => WorkflowConfiguration.Load(folder.State, NoEnvironment));
        Assert.Contains("Did you mean 'DASHBOARD_PORT'", error.Message);
    }

    [Fact]
    public void Set_keeps_comments_and_replaces_the_commented_default()
    {
        WorkflowConfiguration.WriteDefaultFile(folder.State);
        WorkflowConfiguration.Set(folder.State, new Dictionary<string, string> { ["METRICS_RETENTION_DAYS"] = "14" });
        var text = File.ReadAllText(folder.State.ConfigurationFile);
        Assert.Contains("\nMETRICS_RETENTION_DAYS=14\n", text);
        Assert.DoesNotContain("#METRICS_RETENTION_DAYS=", text);
        Assert.StartsWith("# WorkflowAutomation configuration", text);
    }

    [Fact]
    public void State_directory_is_never_under_temp_by_default()
    {
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["HOME"] = "/home/ops" });
        var state = StateDirectory.Resolve(environment);
        Assert.Equal("/home/ops/.local/state/WorkflowAutomation", state.Root);

        var xdg = new DictionaryEnvironment(new Dictionary<string, string> { ["HOME"] = "/home/ops", ["XDG_STATE_HOME"] = "/tmp/x" });
        Assert.Throws<StateDirectoryException>(() => StateDirectory.Resolve(xdg));
    }

    [Fact]
    public void State_directory_and_files_are_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows relies on the per-user ACL of %LOCALAPPDATA%.
        }
        var root = Path.Combine(folder.Path, "state");
        var state = new StateDirectory(root).EnsureCreated();
        WorkflowConfiguration.WriteDefaultFile(state);
        Assert.Equal(OwnerOnly.FolderMode, File.GetUnixFileMode(root));
        Assert.Equal(OwnerOnly.OwnerFileMode, File.GetUnixFileMode(state.ConfigurationFile));
    }
}
