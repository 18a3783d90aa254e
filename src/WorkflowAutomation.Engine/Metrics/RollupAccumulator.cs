using System.Runtime.InteropServices;

namespace WorkflowAutomation.Metrics;

/// <summary>min, max, sum, count and last (with its time) of the samples of one bucket.</summary>
internal struct RollupCell
{
    public double Min;
    public double Max;
    public double Sum;
    public long Count;
    public double Last;
    public long LastTimestamp;

    public void Add(long timestamp, double value)
    {
        if (Count == 0)
        {
            (Min, Max, Last, LastTimestamp) = (value, value, value, timestamp);
        }
        else
        {
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
            if (timestamp >= LastTimestamp)
            {
                (Last, LastTimestamp) = (value, timestamp);
            }
        }
        Sum += value;
        Count++;
    }
}

/// <summary>
/// The rollup changes of one write batch, folded in memory so that a batch of thousands of
/// samples costs one upsert per touched bucket and resolution, not one per sample.
/// </summary>
internal sealed class RollupAccumulator
{
    private readonly Dictionary<(long Series, long Bucket), RollupCell>[] cells =
        MetricResolutions.Rollups.Select(_ => new Dictionary<(long, long), RollupCell>()).ToArray();

    private static readonly long[] Sizes = MetricResolutions.Rollups.Select(r => r.BucketMilliseconds()).ToArray();

    public void Add(long seriesId, long timestamp, double value)
    {
        for (var i = 0; i < Sizes.Length; i++)
        {
            ref var cell = ref CollectionsMarshal.GetValueRefOrAddDefault(
                cells[i], (seriesId, MetricResolutions.BucketStart(timestamp, Sizes[i])), out _);
            cell.Add(timestamp, value);
        }
    }

    /// <summary>The folded cells of each rollup resolution, in the order of <see cref="MetricResolutions.Rollups"/>.</summary>
    public IReadOnlyList<Dictionary<(long Series, long Bucket), RollupCell>> Cells => cells;

    public void Clear()
    {
        foreach (var table in cells)
        {
            table.Clear();
        }
    }
}
