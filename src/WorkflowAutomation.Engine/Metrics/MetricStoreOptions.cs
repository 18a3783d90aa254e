using WorkflowAutomation.Configuration;

namespace WorkflowAutomation.Metrics;

/// <summary>Retention, limits and batching of the metric store; every default is documented.</summary>
public sealed class MetricStoreOptions
{
    /// <summary>How long raw samples are kept. <value>The default value is 7 days.</value></summary>
    public TimeSpan RawRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long the 1m, 5m, 15m and 1h rollups are kept (METRICS_RETENTION_DAYS). <value>The default value is 30 days.</value></summary>
    public TimeSpan RollupRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long the 1d rollup is kept. <value>The default value is 365 days.</value></summary>
    public TimeSpan DailyRetention { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Tag combinations one metric name may have before new ones are refused. <value>The default value is 1,000.</value></summary>
    public int MaxSeriesPerName { get; init; } = 1000;

    /// <summary>Series the whole store may hold before new ones are refused. <value>The default value is 100,000.</value></summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>Most samples committed in one transaction. <value>The default value is 20,000.</value></summary>
    public int MaxBatchSize { get; init; } = 20_000;

    /// <summary>Samples waiting for the writer before producers are slowed down. <value>The default value is 1,000,000.</value></summary>
    public int QueueCapacity { get; init; } = 1_000_000;

    /// <summary>How often the writer enforces retention and compacts the head on its own. <value>The default value is 5 minutes.</value></summary>
    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows deleted per retention step, between which writes go on. <value>The default value is 5,000.</value></summary>
    public int RetentionBatchSize { get; init; } = 5000;

    /// <summary>
    /// Raw samples newer than this (behind the store's clock) stay one row each in the head;
    /// older ones are compacted into compressed chunks. <value>The default value is 1 minute</value>
    /// (a head row costs about 25 bytes, a compacted sample about 6 for a noisy gauge and under one
    /// for a steady one; a sample arriving later than the window is merged into its chunk, which is
    /// correct but costs a re-encode of that chunk).
    /// </summary>
    public TimeSpan HeadWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most samples in one compressed chunk. <value>The default value is 1,024</value>: it bounds the
    /// work of re-encoding a series' newest chunk as samples extend it; how full a chunk gets is
    /// mostly set by <see cref="ChunkBytes"/>.
    /// </summary>
    public int ChunkSize { get; init; } = 1024;

    /// <summary>
    /// Most encoded bytes in one chunk (a single sample may exceed it). <value>The default value is
    /// 2,000</value>: two such chunks with their row fields fill a 4 KiB SQLite page to within a few
    /// bytes whatever the data (a count limit left a tenth of every chunk page empty for a noisy gauge
    /// and more for smoother ones).
    /// </summary>
    public int ChunkBytes { get; init; } = 2000;

    /// <summary>Samples compacted per step, between which writes go on. <value>The default value is 10,000.</value></summary>
    public int CompactionBatchSize { get; init; } = 10_000;

    /// <summary>Options with the rollup retention taken from METRICS_RETENTION_DAYS.</summary>
    public static MetricStoreOptions FromConfiguration(WorkflowConfiguration configuration) =>
        new() { RollupRetention = TimeSpan.FromDays(configuration.MetricsRetentionDays) };

    internal TimeSpan RetentionOf(MetricResolution resolution) => resolution switch
    {
        MetricResolution.Raw => RawRetention,
        MetricResolution.OneDay => DailyRetention,
        _ => RollupRetention,
    };
}
