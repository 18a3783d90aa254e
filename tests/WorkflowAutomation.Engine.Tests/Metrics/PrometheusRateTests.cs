using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>Hand-computed cases of Prometheus' extrapolatedRate (window (start, end], seconds).</summary>
public sealed class PrometheusRateTests
{
    private static List<(long, double)> Points(long firstSecond, long stepSeconds, params double[] values) =>
        values.Select((v, i) => ((firstSecond + (i * stepSeconds)) * 1000, v)).ToList();

    [Fact]
    public void Counter_reset_adds_the_value_before_the_reset()
    {
        // 10 20 30 | 5 15 25 at 10..60 s: increase 15 + 30 (reset) = 45 over 50 s of samples,
        // extrapolated 10 s to the start (within 1.1 intervals; zero point is 11.1 s away): 54.
        var points = Points(10, 10, 10, 20, 30, 5, 15, 25);
        Assert.Equal(54, PrometheusRate.Increase(points, 0, 60_000)!.Value, 9);
        Assert.Equal(0.9, PrometheusRate.Rate(points, 0, 60_000)!.Value, 12);
    }

    [Fact]
    public void Samples_far_from_the_edges_extrapolate_half_an_interval()
    {
        // 100..140 at 40..80 s in (0, 120]: both gaps are 40 s > 11 s, so 5 s each way: 40 * 50/40.
        var points = Points(40, 10, 100, 110, 120, 130, 140);
        Assert.Equal(50, PrometheusRate.Increase(points, 0, 120_000)!.Value, 9);
        Assert.Equal(50.0 / 120, PrometheusRate.Rate(points, 0, 120_000)!.Value, 12);
    }

    [Fact]
    public void A_counter_is_not_extrapolated_below_zero()
    {
        // 1 11 21 31 at 30..60 s: half an interval back would be 5 s, but zero is reached 1 s back.
        var points = Points(30, 10, 1, 11, 21, 31);
        Assert.Equal(31, PrometheusRate.Increase(points, 0, 60_000)!.Value, 9);
    }

    [Fact]
    public void Prometheus_functions_test_rate_of_a_steady_counter()
    {
        // promql/testdata/functions.test: load 5m, http_requests 0+10x10, rate(http_requests[50m]) at 50m = 0.0333…
        var points = Points(300, 300, SeriesLoader.Expand("10+10x9").Select(v => v!.Value).ToArray());
        Assert.Equal(1.0 / 30, PrometheusRate.Rate(points, 0, 3_000_000)!.Value, 12);
    }

    [Fact]
    public void Gauge_delta_ignores_drops_as_resets()
    {
        var points = Points(10, 10, 10, 20, 30, 5, 15, 25);
        Assert.Equal(15 * 60.0 / 50 / 60, PrometheusRate.Rate(points, 0, 60_000, isCounter: false)!.Value, 12);
    }

    [Fact]
    public void Fewer_than_two_samples_give_no_rate()
    {
        Assert.Null(PrometheusRate.Rate(Points(10, 10, 5), 0, 60_000));
    }
}
