namespace WorkflowAutomation.Daemon;

/// <summary>Runs every check each HEALTH_CHECK_INTERVAL and keeps the latest report.</summary>
public sealed class HealthMonitor : IDisposable
{
    private readonly IReadOnlyList<IHealthCheck> checks;
    private readonly TimeProvider time;
    private readonly TimeSpan interval;
    private readonly DaemonLog log;
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;
    private HealthStatus? lastStatus;

    public HealthMonitor(IReadOnlyList<IHealthCheck> checks, TimeSpan interval, TimeProvider time, DaemonLog log)
    {
        this.checks = checks;
        this.interval = interval;
        this.time = time;
        this.log = log;
    }

    /// <summary>The latest report; null before the first round.</summary>
    public HealthReport? Current { get; private set; }

    /// <summary>Runs one round now (also at start, so the daemon is never reported without a health).</summary>
    public async Task<HealthReport> CheckNowAsync(CancellationToken cancellation = default)
    {
        var results = new List<HealthCheckResult>();
        foreach (var check in checks)
        {
            try
            {
                results.Add(await check.CheckAsync(cancellation).ConfigureAwait(false));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                results.Add(HealthCheckResult.Unhealthy(check.Name, "the check itself failed: " + exception.Message));
            }
        }
        var report = new HealthReport(results, time.GetUtcNow());
        Current = report;
        if (report.Status != lastStatus)
        {
            var reasons = report.Reasons.Count == 0 ? "" : ": " + string.Join("; ", report.Reasons);
            (report.Status == HealthStatus.Healthy ? (Action<string>)log.Info : log.Warn)($"Health is {report.Status}{reasons}");
            lastStatus = report.Status;
        }
        return report;
    }

    public void Start() => loop = Task.Run(async () =>
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stopping.Token).ConfigureAwait(false);
                await CheckNowAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    });

    public void Dispose()
    {
        stopping.Cancel();
        try
        {
            loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stopping.Dispose();
    }
}
