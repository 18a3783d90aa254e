using System.Buffers.Binary;
using System.Numerics;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The bit-packed chunk format that <see cref="SampleChunkCodec"/> writes. After a two-byte
/// marker (0x80 0x00, which no minimal varint starts with, so chunks written in the older
/// byte-oriented format are still told apart) come the sample count (varint), the first
/// timestamp (zig-zag varint) and the first value's 8 bytes, then a bit stream, most
/// significant bit first, of every later sample:
/// <list type="bullet">
/// <item>timestamp: <c>0</c> when the interval is unchanged, else <c>1</c>, 6 bits of length − 1
/// and that many bits of the zig-zagged change of interval;</item>
/// <item>value: <c>0</c> when it equals the previous one bit for bit; <c>1 11</c> when it
/// continues the straight line of the previous two (a counter, a ramp); else <c>1</c>, the
/// predictor in 2 bits (00 previous value, 01 straight line through the previous two, 10
/// parabola through the previous three), 6 bits of length − 1 and that many bits of the
/// zig-zagged difference between the value's bits and the prediction.</item>
/// </list>
/// Predictions are made on the IEEE bit patterns as 64-bit integers with wrapping arithmetic:
/// within one sign and binade those grow with the value, so a smooth series leaves a short
/// difference, and any bit pattern (NaN payloads, ±Inf, −0.0, subnormals) still round-trips
/// exactly. The encoder picks, sample by sample, the predictor with the shortest difference.
/// </summary>
internal static class PredictiveChunkFormat
{
    public const byte Marker0 = 0x80;
    public const byte Marker1 = 0x00;
    private const int PreviousValue = 0, Line = 1, Parabola = 2, ExactLine = 3;

    public static bool IsThisFormat(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == Marker0 && data[1] == Marker1;

    public static byte[] Encode(ReadOnlySpan<(long Timestamp, double Value)> samples)
    {
        var writer = new BitWriter(32 + (samples.Length * 20));
        writer.WriteByte(Marker0);
        writer.WriteByte(Marker1);
        writer.WriteVarint((ulong)samples.Length);
        if (samples.Length == 0)
        {
            return writer.ToArray();
        }
        var (ts, value) = samples[0];
        writer.WriteVarint(ZigZag(ts));
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        writer.WriteUInt64(bits);
        ulong v1 = bits, v2 = bits, v3 = bits;
        long previousTs = ts, previousDelta = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            (ts, value) = samples[i];
            var delta = unchecked(ts - previousTs);
            var change = unchecked(delta - previousDelta);
            if (change == 0)
            {
                writer.WriteBits(0, 1);
            }
            else
            {
                WriteLengthAndBits(ref writer, ZigZag(change));
            }
            previousTs = ts;
            previousDelta = delta;

            bits = (ulong)BitConverter.DoubleToInt64Bits(value);
            if (bits == v1)
            {
                writer.WriteBits(0, 1);
            }
            else
            {
                var best = PreviousValue;
                var bestResidual = Residual(bits, Predict(PreviousValue, v1, v2, v3));
                var line = Residual(bits, Predict(Line, v1, v2, v3));
                if (line == 0)
                {
                    best = ExactLine;
                }
                else
                {
                    if (line < bestResidual)
                    {
                        (best, bestResidual) = (Line, line);
                    }
                    var parabola = Residual(bits, Predict(Parabola, v1, v2, v3));
                    if (parabola < bestResidual)
                    {
                        (best, bestResidual) = (Parabola, parabola);
                    }
                }
                writer.WriteBits((ulong)(4 | best), 3);
                if (best != ExactLine)
                {
                    WriteLengthAndBits(ref writer, bestResidual, withFlag: false);
                }
            }
            (v3, v2, v1) = (v2, v1, bits);
        }
        return writer.ToArray();
    }

    public static void Decode(ReadOnlySpan<byte> data, List<(long Timestamp, double Value)> into, long from, long until)
    {
        var reader = new BitReader(data, 2);
        var count = (long)reader.ReadVarint();
        if (count == 0)
        {
            return;
        }
        var ts = UnZigZag(reader.ReadVarint());
        var bits = reader.ReadUInt64();
        Emit(into, ts, bits, from, until);
        ulong v1 = bits, v2 = bits, v3 = bits;
        long delta = 0;
        for (long i = 1; i < count && ts <= until; i++)
        {
            if (reader.ReadBits(1) == 1)
            {
                delta = unchecked(delta + UnZigZag(ReadLengthAndBits(ref reader)));
            }
            ts = unchecked(ts + delta);
            if (reader.ReadBits(1) == 0)
            {
                bits = v1;
            }
            else
            {
                var predictor = (int)reader.ReadBits(2);
                bits = Predict(predictor == ExactLine ? Line : predictor, v1, v2, v3);
                if (predictor != ExactLine)
                {
                    bits = unchecked(bits + (ulong)UnZigZag(ReadLengthAndBits(ref reader)));
                }
            }
            (v3, v2, v1) = (v2, v1, bits);
            Emit(into, ts, bits, from, until);
        }
    }

    private static ulong Predict(int predictor, ulong v1, ulong v2, ulong v3) => unchecked(predictor switch
    {
        Line => (2 * v1) - v2,
        Parabola => (3 * v1) - (3 * v2) + v3,
        _ => v1,
    });

    private static ulong Residual(ulong bits, ulong prediction) => ZigZag(unchecked((long)(bits - prediction)));

    /// <summary>A non-zero number as 6 bits of (bit length − 1) and its bits, after a '1' flag unless told otherwise.</summary>
    private static void WriteLengthAndBits(ref BitWriter writer, ulong value, bool withFlag = true)
    {
        var length = Math.Max(1, 64 - BitOperations.LeadingZeroCount(value));
        if (withFlag)
        {
            writer.WriteBits(1, 1);
        }
        writer.WriteBits((ulong)(length - 1), 6);
        writer.WriteBits(value, length);
    }

    private static ulong ReadLengthAndBits(ref BitReader reader)
    {
        var length = (int)reader.ReadBits(6) + 1;
        return reader.ReadBits(length);
    }

    private static void Emit(List<(long, double)> into, long ts, ulong bits, long from, long until)
    {
        if (ts >= from && ts <= until)
        {
            into.Add((ts, BitConverter.Int64BitsToDouble((long)bits)));
        }
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Appends bits most significant first; whole bytes (marker, varints) only before the first bit.</summary>
    private struct BitWriter(int capacity)
    {
        private byte[] buffer = new byte[capacity];
        private int bytes;
        private ulong pending;
        private int pendingBits;

        public void WriteByte(byte value)
        {
            Ensure(1);
            buffer[bytes++] = value;
        }

        public void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            WriteByte((byte)value);
        }

        public void WriteUInt64(ulong value)
        {
            Ensure(8);
            BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(bytes), value);
            bytes += 8;
        }

        public void WriteBits(ulong value, int count)
        {
            while (count > 0)
            {
                var take = Math.Min(count, 56 - pendingBits);
                var part = (value >> (count - take)) & ((1UL << take) - 1);
                pending = (pending << take) | part;
                pendingBits += take;
                count -= take;
                while (pendingBits >= 8)
                {
                    pendingBits -= 8;
                    WriteByte((byte)(pending >> pendingBits));
                }
                pending &= (1UL << pendingBits) - 1;
            }
        }

        public byte[] ToArray()
        {
            if (pendingBits > 0)
            {
                WriteByte((byte)(pending << (8 - pendingBits)));
                pendingBits = 0;
                pending = 0;
            }
            return buffer.AsSpan(0, bytes).ToArray();
        }

        private void Ensure(int more)
        {
            if (bytes + more > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, bytes + more));
            }
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> data, int start)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int at = start;
        private int bitInByte;

        public ulong ReadVarint()
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

        public ulong ReadUInt64()
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(data[at..]);
            at += 8;
            return value;
        }

        public ulong ReadBits(int count)
        {
            ulong value = 0;
            while (count > 0)
            {
                var available = 8 - bitInByte;
                var take = Math.Min(available, count);
                var part = (ulong)(data[at] >> (available - take)) & ((1UL << take) - 1);
                value = (value << take) | part;
                count -= take;
                bitInByte += take;
                if (bitInByte == 8)
                {
                    bitInByte = 0;
                    at++;
                }
            }
            return value;
        }
    }
}
