namespace WorkflowAutomation.Metrics;

/// <summary>
/// Prometheus' <c>extrapolatedRate</c> (promql/functions.go, as of Prometheus 3) for float
/// samples: the samples in the left-open window (start, end]; a counter reset (a value below
/// its predecessor) adds the predecessor's value; the first/last sample is extrapolated to
/// the window's edge when it lies within 1.1 average sample intervals of it, else by half an
/// interval; a counter is never extrapolated below zero. Fewer than two samples give no value.
/// </summary>
public static class PrometheusRate
{
    /// <summary><c>rate()</c>: per-second increase; <paramref name="isCounter"/> false gives <c>delta()</c>/range.</summary>
    public static double? Rate(IReadOnlyList<(long Timestamp, double Value)> samples, long startMs, long endMs, bool isCounter = true) =>
        Extrapolated(samples, startMs, endMs, isCounter, isRate: true);

    /// <summary><c>increase()</c>: the extrapolated increase over the window.</summary>
    public static double? Increase(IReadOnlyList<(long Timestamp, double Value)> samples, long startMs, long endMs) =>
        Extrapolated(samples, startMs, endMs, isCounter: true, isRate: false);

    /// <summary>The core; <paramref name="samples"/> sorted by time and already limited to (start, end].</summary>
    public static double? Extrapolated(IReadOnlyList<(long Timestamp, double Value)> samples, long startMs, long endMs, bool isCounter, bool isRate)
    {
        if (samples.Count < 2)
        {
            return null;
        }
        var first = samples[0];
        var last = samples[^1];
        var result = last.Value - first.Value;
        if (isCounter)
        {
            var previous = first.Value;
            for (var i = 1; i < samples.Count; i++)
            {
                if (samples[i].Value < previous)
                {
                    result += previous;
                }
                previous = samples[i].Value;
            }
        }
        var durationToStart = (first.Timestamp - startMs) / 1000.0;
        var durationToEnd = (endMs - last.Timestamp) / 1000.0;
        var sampledInterval = (last.Timestamp - first.Timestamp) / 1000.0;
        var averageBetweenSamples = sampledInterval / (samples.Count - 1);
        var threshold = averageBetweenSamples * 1.1;
        if (durationToStart >= threshold)
        {
            durationToStart = averageBetweenSamples / 2;
        }
        if (isCounter && result > 0 && first.Value >= 0)
        {
            // Counters start at zero: do not extrapolate to before the zero point.
            var durationToZero = sampledInterval * (first.Value / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= threshold)
        {
            durationToEnd = averageBetweenSamples / 2;
        }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
        {
            factor /= (endMs - startMs) / 1000.0;
        }
        return result * factor;
    }
}
