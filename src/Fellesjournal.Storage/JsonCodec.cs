using System.IO.Compression;

namespace Fellesjournal.Storage;

/// <summary>Compresses stored JSON with Brotli at a low quality level: FHIR JSON is repetitive, and quality 1–2
/// keeps compression well under the cost of the SQL insert (see docs/decisions/0002).</summary>
public static class JsonCodec
{
    public const int Quality = 2;

    public static byte[] Compress(ReadOnlySpan<byte> json)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        if (!BrotliEncoder.TryCompress(json, buffer, out var written, Quality, WindowFor(json.Length)))
            throw new InvalidOperationException("Brotli compression failed.");
        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>The smallest window that covers the input (10..24 bits): the encoder's state scales with the
    /// window, and a 4 MB window for a 2 KB resource costs more than the compression itself.</summary>
    public static int WindowFor(int length) => Math.Clamp(32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(length, 1)), 10, 24);

    public static byte[] Decompress(ReadOnlySpan<byte> data, int length)
    {
        var buffer = new byte[length];
        if (!BrotliDecoder.TryDecompress(data, buffer, out var written) || written != length)
            throw new InvalidDataException("Stored resource JSON is corrupt.");
        return buffer;
    }
}
