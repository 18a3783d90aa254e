using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>The chunk codec returns every timestamp and every double bit for bit.</summary>
public sealed class SampleChunkCodecTests
{
    private static readonly double[] Awkward =
    [
        0.0, -0.0, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001)),
        double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF),
        double.MaxValue, double.MinValue, 1.0, 1.0, 0.1, 0.30000000000000004, -123456.789, 42, 42, 42,
    ];

    private static void AssertRoundTrip(IReadOnlyList<(long Timestamp, double Value)> samples)
    {
        // The format written now, and the XOR format chunks of earlier releases are stored in.
        foreach (var encoded in new[] { SampleChunkCodec.Encode(samples.ToArray()), SampleChunkCodec.EncodeXor(samples.ToArray()) })
        {
            var decoded = SampleChunkCodec.Decode(encoded);
            Assert.Equal(samples.Select(s => s.Timestamp), decoded.Select(s => s.Timestamp));
            // Bits, not ==: NaN payloads and -0.0 must survive too.
            Assert.Equal(samples.Select(s => BitConverter.DoubleToInt64Bits(s.Value)), decoded.Select(s => BitConverter.DoubleToInt64Bits(s.Value)));
        }
    }

    [Fact]
    public void Special_doubles_round_trip_bit_for_bit()
    {
        AssertRoundTrip(Awkward.Select((v, i) => (1_750_000_000_000L + (i * 1000L), v)).ToList());
        // Each one also as the first sample of a chunk, and after every other one.
        foreach (var first in Awkward)
        {
            AssertRoundTrip([(0, first), .. Awkward.Select((v, i) => ((long)i + 1, v))]);
        }
    }

    [Fact]
    public void Extreme_and_irregular_timestamps_round_trip()
    {
        var min = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
        var max = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
        AssertRoundTrip([(min, 1), (min + 1, 2), (0, 3), (max - 1, 4), (max, 5)]);
        AssertRoundTrip([(long.MinValue, 1), (-1, 2), (0, 3), (long.MaxValue, 4)]);
        AssertRoundTrip([(5, 1)]);
        AssertRoundTrip([(5, 1), (6, 1)]);
        AssertRoundTrip([]);
    }

    [Fact]
    public void Random_sequences_round_trip()
    {
        var random = new Random(20260601);
        for (var run = 0; run < 500; run++)
        {
            var count = random.Next(1, 300);
            var ts = random.NextInt64(-62_135_596_800_000, 253_402_300_799_999 - (count * 100_000L));
            var value = random.NextDouble() * 100;
            var samples = new List<(long, double)>();
            for (var i = 0; i < count; i++)
            {
                samples.Add((ts, value));
                // Mostly regular intervals with jitter and gaps; values that repeat, drift, jump or are any bit pattern.
                ts += random.Next(4) switch { 0 => 1000, 1 => 1000 + random.Next(-5, 6), 2 => 1, _ => random.Next(1, 100_000) };
                value = random.Next(5) switch
                {
                    0 => value,
                    1 => value + random.NextDouble(),
                    2 => Math.Round(value) + 1,
                    3 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
                    _ => Awkward[random.Next(Awkward.Length)],
                };
            }
            AssertRoundTrip(samples);
        }
    }

    [Fact]
    public void A_regular_series_with_a_repeating_value_costs_two_bits_a_sample()
    {
        var samples = Enumerable.Range(0, 1000).Select(i => (1_750_000_000_000L + (i * 1000L), 7.5)).ToArray();
        // Marker (2) + count (2) + first timestamp (6) + 8 value bytes; then the first interval
        // (1 + 6 + 11 bits) and 1 value bit; then 2 bits each for the other 998, rounded up to a byte.
        Assert.Equal(2 + 2 + 6 + 8 + ((18 + 1 + (998 * 2) + 7) / 8), SampleChunkCodec.Encode(samples).Length);
    }

    [Fact]
    public void A_regular_counter_costs_four_bits_a_sample()
    {
        var samples = Enumerable.Range(0, 1000).Select(i => (1_750_000_000_000L + (i * 1000L), 1000.0 + i)).ToArray();
        var bytes = SampleChunkCodec.Encode(samples).Length;
        // Crossing a binade (1024, 2048) costs one longer difference each; every other sample continues the line.
        Assert.InRange(bytes, 500, 540);
    }

    [Fact]
    public void A_smooth_noisy_gauge_takes_far_fewer_bytes_than_the_xor_format()
    {
        var samples = Enumerable.Range(0, 256)
            .Select(i => (1_750_000_000_000L + (i * 1000L), 50 + (40 * Math.Sin(i / 97.0)) + ((i % 7) * 0.013))).ToArray();
        var now = SampleChunkCodec.Encode(samples).Length;
        var before = SampleChunkCodec.EncodeXor(samples).Length;
        Assert.True(now < 0.85 * before, $"{now} bytes now, {before} in the XOR format");
    }

    [Fact]
    public void Chunks_in_the_xor_format_are_told_apart_from_the_current_one_whatever_their_first_timestamp()
    {
        foreach (var ts in new[] { 0L, 1, 63, 64, -65, 8192, 1_750_000_000_000L, long.MinValue, long.MaxValue })
        {
            var samples = new[] { (ts, 1.5), (unchecked(ts + 1), 2.5) };
            Assert.Equal(samples, SampleChunkCodec.Decode(SampleChunkCodec.EncodeXor(samples)));
            Assert.Equal(samples, SampleChunkCodec.Decode(SampleChunkCodec.Encode(samples)));
        }
    }

    [Fact]
    public void Decoding_a_range_keeps_only_the_samples_inside_it()
    {
        var samples = Enumerable.Range(0, 100).Select(i => ((long)i * 10, (double)i)).ToArray();
        var inside = new List<(long, double)>();
        SampleChunkCodec.Decode(SampleChunkCodec.Encode(samples), inside, from: 250, until: 300);
        Assert.Equal([(250L, 25.0), (260, 26), (270, 27), (280, 28), (290, 29), (300, 30)], inside);
    }
}
