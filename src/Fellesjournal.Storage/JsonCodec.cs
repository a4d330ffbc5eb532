using System.IO.Compression;
using K4os.Compression.LZ4;

namespace Fellesjournal.Storage;

/// <summary>
/// The stored form of resource JSON (docs/decisions/0031). New rows are LZ4 blocks behind the format byte
/// <see cref="Lz4Format"/>: decoding one costs about a tenth of Brotli's, and a summary or a search page decodes dozens
/// of rows per request. Rows written before (Brotli, quality 2) stay readable as they are: no standard Brotli stream
/// starts with that byte, so each row says how it was written and no database needs rewriting.
/// </summary>
public static class JsonCodec
{
    /// <summary>First byte of an LZ4 row: its low seven bits (<c>0010001</c>) are the one window-size code RFC 7932
    /// (§9.1) leaves unassigned, so a standard Brotli stream never starts with it.</summary>
    public const byte Lz4Format = 0x11;

    /// <summary>Brotli quality of rows written before the LZ4 format (and of <see cref="CompressBrotli"/>).</summary>
    public const int Quality = 2;

    public static byte[] Compress(ReadOnlySpan<byte> json)
    {
        var buffer = new byte[1 + LZ4Codec.MaximumOutputSize(json.Length)];
        buffer[0] = Lz4Format;
        var written = LZ4Codec.Encode(json, buffer.AsSpan(1), LZ4Level.L00_FAST);
        if (written < 0) throw new InvalidOperationException("LZ4 compression failed.");
        return buffer.AsSpan(0, 1 + written).ToArray();
    }

    /// <summary>The former stored form; kept for tests and benchmarks that compare the two.</summary>
    public static byte[] CompressBrotli(ReadOnlySpan<byte> json)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        if (!BrotliEncoder.TryCompress(json, buffer, out var written, Quality, WindowFor(json.Length)))
            throw new InvalidOperationException("Brotli compression failed.");
        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>The smallest Brotli window that covers the input (10..24 bits): the encoder's state scales with the
    /// window, and a 4 MB window for a 2 KB resource costs more than the compression itself.</summary>
    public static int WindowFor(int length) => Math.Clamp(32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(length, 1)), 10, 24);

    /// <param name="length">The uncompressed length, stored beside the row.</param>
    public static byte[] Decompress(ReadOnlySpan<byte> data, int length)
    {
        var buffer = new byte[length];
        var ok = data.Length > 0 && data[0] == Lz4Format
            ? LZ4Codec.Decode(data[1..], buffer) == length
            : BrotliDecoder.TryDecompress(data, buffer, out var written) && written == length;
        if (!ok) throw new InvalidDataException("Stored resource JSON is corrupt.");
        return buffer;
    }
}
