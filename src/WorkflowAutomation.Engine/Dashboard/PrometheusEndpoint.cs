using WorkflowAutomation.Daemon;
using WorkflowAutomation.Dashboard.Queries;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// /metrics in the Prometheus text format: the newest value of every stored series (workflow,
/// step, executor, daemon, system and custom; counters end in _total), plus the breakers and
/// the daemon's health as they are now.
/// </summary>
internal sealed class PrometheusEndpoint(DaemonHost host, MetricQueries metrics, TimeProvider time)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public string Render()
    {
        var now = time.GetUtcNow();
        var samples = metrics.Latest().ToList();
        foreach (var breaker in host.Breakers.List())
        {
            var tags = $"breaker={Label(breaker.Name)},kind={breaker.Kind}";
            samples.Add(Gauge("daemon.breaker.open", breaker.State == CircuitState.Open ? 1 : 0, tags, now));
            samples.Add(Gauge("daemon.breaker.failures", breaker.Failures, tags, now));
        }
        var health = host.CurrentHealth?.Status ?? HealthStatus.Unhealthy;
        samples.Add(Gauge("daemon.healthy", health == HealthStatus.Healthy ? 1 : 0, "", now));
        return MetricExporter.Prometheus(samples);
    }

    private static WorkflowMetricSample Gauge(string name, double value, string tags, DateTimeOffset at) => new()
    {
        Name = name,
        Value = value,
        Type = nameof(MetricType.Gauge),
        Tags = tags,
        Timestamp = at,
    };

    /// <summary>Tag values in the stored form cannot hold ',' or '=' (they separate tags).</summary>
    private static string Label(string text) => text.Replace(',', ' ').Replace('=', ':');
}
