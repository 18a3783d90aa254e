namespace WorkflowAutomation.Configuration;

/// <summary>Every configuration key the product knows, with its default and its range.</summary>
public static class ConfigurationKeys
{
    public static readonly ConfigurationKey MaxParallelWorkflows = ConfigurationKey.Integer(
        "MAX_PARALLEL_WORKFLOWS", () => 20, 1, 1000, "Workflow runs the daemon executes at once; the rest queue.");

    public static readonly ConfigurationKey MaxParallelWorkers = ConfigurationKey.Integer(
        "MAX_PARALLEL_WORKERS", () => Environment.ProcessorCount, 1, 1024, "Default worker count of Invoke-ParallelBatch (the core count unless set).");

    public static readonly ConfigurationKey MetricsRetentionDays = ConfigurationKey.Integer(
        "METRICS_RETENTION_DAYS", () => 30, 1, 3650, "Days the 1m to 1h metric rollups are kept (raw samples 7 days, 1d rollups a year).");

    public static readonly ConfigurationKey CircuitBreakerThreshold = ConfigurationKey.Integer(
        "CIRCUIT_BREAKER_THRESHOLD", () => 5, 1, 1000, "Consecutive failures that open a step's or a workflow's circuit breaker.");

    public static readonly ConfigurationKey CircuitBreakerDuration = ConfigurationKey.Seconds(
        "CIRCUIT_BREAKER_DURATION", 60, 1, 86400, "How long an open circuit breaker fails fast before it lets one trial call through.");

    public static readonly ConfigurationKey HealthCheckInterval = ConfigurationKey.Seconds(
        "HEALTH_CHECK_INTERVAL", 30, 1, 86400, "How often the daemon checks its own health.");

    public static readonly ConfigurationKey AutoRestartMaxPerHour = ConfigurationKey.Integer(
        "AUTO_RESTART_MAX_PER_HOUR", () => 10, 0, 1000, "Restarts of a crashed daemon the supervisor allows in an hour.");

    public static readonly ConfigurationKey DashboardPort = ConfigurationKey.Integer(
        "DASHBOARD_PORT", () => 8080, 1, 65535, "Port of the dashboard on 127.0.0.1.");

    public static readonly ConfigurationKey DashboardBind = ConfigurationKey.Text(
        "DASHBOARD_BIND", "127.0.0.1", "Address the dashboard listens on; anything but loopback exposes it to the network (logged as a warning).");

    public static readonly ConfigurationKey ChaosEnabled = ConfigurationKey.Boolean(
        "CHAOS_ENABLED", false, "Whether chaos tests may run on this machine.");

    public static readonly ConfigurationKey MetricsInterval = ConfigurationKey.Seconds(
        "METRICS_INTERVAL", 10, 1, 3600, "How often the daemon collects system metrics.");

    public static readonly ConfigurationKey SmtpServer = ConfigurationKey.Text(
        "SMTP_SERVER", "localhost", "SMTP host for email notifications.");

    public static readonly ConfigurationKey SmtpPort = ConfigurationKey.Integer(
        "SMTP_PORT", () => 25, 1, 65535, "SMTP port for email notifications.");

    public static readonly ConfigurationKey SmtpFrom = ConfigurationKey.Text(
        "SMTP_FROM", "workflow-automation@localhost", "Sender address of email notifications.");

    public static readonly ConfigurationKey SmtpUseSsl = ConfigurationKey.Boolean(
        "SMTP_USE_SSL", false, "Whether email notifications use TLS.");

    public static readonly ConfigurationKey StrictInterpolation = ConfigurationKey.Boolean(
        "STRICT_INTERPOLATION", false, "Whether pasting an input, step output or env value into a command with ${{ }} is an error rather than a warning.");
    public static readonly ConfigurationKey SecretEnvVars = ConfigurationKey.Text(
        "SECRET_ENV_VARS", "", "Comma-separated environment variable names whose values are masked (***) in run logs, outputs and the run store.");

    /// <summary>All keys, in the order the configuration file lists them.</summary>
    public static readonly IReadOnlyList<ConfigurationKey> All =
    [
        MaxParallelWorkflows, MaxParallelWorkers, MetricsRetentionDays, CircuitBreakerThreshold, CircuitBreakerDuration,
        HealthCheckInterval, AutoRestartMaxPerHour, DashboardPort, DashboardBind, ChaosEnabled, MetricsInterval,
        SmtpServer, SmtpPort, SmtpFrom, SmtpUseSsl, StrictInterpolation, SecretEnvVars,
    ];

    public static ConfigurationKey? Find(string name) =>
        All.FirstOrDefault(key => string.Equals(key.Name, name, StringComparison.OrdinalIgnoreCase));
}
