using System.Globalization;
using WorkflowAutomation.Metrics.Collectors;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Metrics collection and inbox ingestion are moving: Degraded, naming what it is stuck on,
/// when a collection pass has run for longer than three intervals (a file that blocks its
/// reader, a store that does not answer), since no sample and no inbox file is taken meanwhile.
/// </summary>
public sealed class MetricsIngestionHealthCheck(Func<MetricsCollectorService?> service, TimeProvider time) : IHealthCheck
{
    public string Name => "Metrics";

    public Task<HealthCheckResult> CheckAsync(CancellationToken cancellation)
    {
        if (service() is not { } collectors)
        {
            return Task.FromResult(HealthCheckResult.Degraded(Name, "the metrics collector is not running"));
        }
        var allowed = collectors.Interval * 3 + TimeSpan.FromSeconds(10);
        if (collectors.TickStartedAt is { } started && time.GetUtcNow() - started is var running && running > allowed)
        {
            var file = collectors.Inbox?.CurrentFile is { } current ? $" reading the inbox file {current}" : "";
            return Task.FromResult(HealthCheckResult.Degraded(Name, string.Create(CultureInfo.InvariantCulture,
                $"a collection pass has been running for {running.TotalSeconds:0} s{file} (allowed {allowed.TotalSeconds:0} s); no metrics are collected or ingested meanwhile")));
        }
        var inbox = collectors.LastInboxResult is { } last
            ? $"; the last inbox pass ingested {last.FilesIngested} file(s), rejected {last.Rejected.Count}"
            : "";
        return Task.FromResult(HealthCheckResult.Healthy(Name, string.Create(CultureInfo.InvariantCulture, $"{collectors.Ticks} collection pass(es){inbox}")));
    }
}
