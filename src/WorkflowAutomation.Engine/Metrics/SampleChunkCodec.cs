using System.Buffers.Binary;
using System.Numerics;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Compression of one series' samples, oldest first. Chunks are written in
/// <see cref="PredictiveChunkFormat"/>; chunks written by earlier releases in the byte-oriented
/// XOR format described below are still read (the two are told apart by the first two bytes).
/// </summary>
/// <remarks>
/// The byte-oriented XOR format: the first sample is its timestamp (zig-zag varint) and the
/// value's 8 bytes; the second adds its interval (zig-zag varint). Every later sample is one
/// header byte, then the change of interval (delta of delta, zig-zag varint) unless the header
/// says it did not change, then the meaningful bytes of the value XOR'd with the previous value.
/// Header byte: bit 7 set means the interval is unchanged (no delta-of-delta follows); the low
/// seven bits are 0 for an identical value, else 1 + 8 × (leading zero bytes) + (trailing zero
/// bytes) of the XOR, whose remaining 8 − leading − trailing bytes follow, most significant first.
/// </remarks>
internal static class SampleChunkCodec
{
    private const byte SameInterval = 0x80;

    /// <summary>Encodes samples in timestamp order.</summary>
    public static byte[] Encode(ReadOnlySpan<(long Timestamp, double Value)> samples) => PredictiveChunkFormat.Encode(samples);

    /// <summary>Encodes in the XOR format of earlier releases (kept so that reading it stays tested).</summary>
    internal static byte[] EncodeXor(ReadOnlySpan<(long Timestamp, double Value)> samples)
    {
        var buffer = new byte[Math.Max(32, samples.Length * 19)];
        var at = 0;
        long previousTs = 0, previousDelta = 0;
        ulong previousBits = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var (ts, value) = samples[i];
            var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
            if (i == 0)
            {
                at = WriteVarint(buffer, at, ZigZag(ts));
                BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(at), bits);
                at += 8;
            }
            else if (i == 1)
            {
                previousDelta = ts - previousTs;
                at = WriteVarint(buffer, at, ZigZag(previousDelta));
                at = WriteValue(buffer, at, bits ^ previousBits, header: 0, headerAt: -1);
            }
            else
            {
                var delta = ts - previousTs;
                var headerAt = at++;
                byte header = 0;
                if (delta == previousDelta)
                {
                    header = SameInterval;
                }
                else
                {
                    at = WriteVarint(buffer, at, ZigZag(delta - previousDelta));
                }
                previousDelta = delta;
                at = WriteValue(buffer, at, bits ^ previousBits, header, headerAt);
            }
            previousTs = ts;
            previousBits = bits;
        }
        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>
    /// Decodes a chunk, appending the samples with from &lt;= ts &lt;= until to <paramref name="into"/>
    /// (chunks are encoded in timestamp order, so decoding stops after <paramref name="until"/>).
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> data, List<(long Timestamp, double Value)> into, long from = long.MinValue, long until = long.MaxValue)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (PredictiveChunkFormat.IsThisFormat(data))
        {
            PredictiveChunkFormat.Decode(data, into, from, until);
            return;
        }
        var at = 0;
        var ts = UnZigZag(ReadVarint(data, ref at));
        var bits = BinaryPrimitives.ReadUInt64BigEndian(data[at..]);
        at += 8;
        Emit(into, ts, bits, from, until);
        if (at == data.Length)
        {
            return;
        }
        var delta = UnZigZag(ReadVarint(data, ref at));
        ts += delta;
        var shape = data[at++];
        bits ^= ReadValue(data, ref at, shape);
        Emit(into, ts, bits, from, until);
        while (at < data.Length && ts <= until)
        {
            var header = data[at++];
            if ((header & SameInterval) == 0)
            {
                delta += UnZigZag(ReadVarint(data, ref at));
            }
            ts += delta;
            bits ^= ReadValue(data, ref at, header & 0x7F);
            Emit(into, ts, bits, from, until);
        }
    }

    /// <summary>Decodes every sample of a chunk.</summary>
    public static List<(long Timestamp, double Value)> Decode(ReadOnlySpan<byte> data)
    {
        var samples = new List<(long, double)>();
        Decode(data, samples);
        return samples;
    }

    private static void Emit(List<(long, double)> into, long ts, ulong bits, long from, long until)
    {
        if (ts >= from && ts <= until)
        {
            into.Add((ts, BitConverter.Int64BitsToDouble((long)bits)));
        }
    }

    /// <summary>
    /// Writes an XOR: into the header byte at <paramref name="headerAt"/> when there is one, else
    /// (the second sample) as a byte of its own.
    /// </summary>
    private static int WriteValue(byte[] buffer, int at, ulong xor, byte header, int headerAt)
    {
        var shape = 0;
        var leading = 0;
        var trailing = 0;
        if (xor != 0)
        {
            leading = BitOperations.LeadingZeroCount(xor) / 8;
            trailing = BitOperations.TrailingZeroCount(xor) / 8;
            shape = 1 + (8 * leading) + trailing;
        }
        if (headerAt < 0)
        {
            buffer[at++] = (byte)shape;
        }
        else
        {
            buffer[headerAt] = (byte)(header | shape);
        }
        for (var b = 7 - leading; b >= trailing && xor != 0; b--)
        {
            buffer[at++] = (byte)(xor >> (8 * b));
        }
        return at;
    }

    private static ulong ReadValue(ReadOnlySpan<byte> data, ref int at, int shape)
    {
        if (shape == 0)
        {
            return 0;
        }
        var leading = (shape - 1) / 8;
        var trailing = (shape - 1) % 8;
        ulong xor = 0;
        for (var b = 7 - leading; b >= trailing; b--)
        {
            xor |= (ulong)data[at++] << (8 * b);
        }
        return xor;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int WriteVarint(byte[] buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
        return at;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
