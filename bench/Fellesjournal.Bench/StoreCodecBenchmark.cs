using System.IO.Compression;
using BenchmarkDotNet.Attributes;

namespace Fellesjournal.Bench;

/// <summary>Candidate codecs for stored JSON: time per resource and ratio (printed once in setup).</summary>
[Config(typeof(StoreBenchConfig))]
public class StoreCodecBenchmark
{
    private byte[][] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _json = StoreSyntheticData.Create(2_000).Select(x => x.Json).ToArray();
        var raw = _json.Sum(j => (long)j.Length);
        foreach (var q in new[] { 1, 2, 4 })
            Console.WriteLine($"// brotli q{q}: ratio {(double)_json.Sum(j => (long)Brotli(j, q)) / raw:F3}");
        Console.WriteLine($"// deflate fastest: ratio {(double)_json.Sum(j => (long)Deflate(j)) / raw:F3}");
    }

    private static int Brotli(byte[] json, int quality)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        BrotliEncoder.TryCompress(json, buffer, out var written, quality, Fellesjournal.Storage.JsonCodec.WindowFor(json.Length));
        return written;
    }

    private static int Deflate(byte[] json)
    {
        using var ms = new MemoryStream();
        using (var d = new DeflateStream(ms, CompressionLevel.Fastest, leaveOpen: true)) d.Write(json);
        return (int)ms.Length;
    }

    [Benchmark(OperationsPerInvoke = 2_000)] public int BrotliQ1() => _json.Sum(j => Brotli(j, 1));
    [Benchmark(OperationsPerInvoke = 2_000)] public int BrotliQ2() => _json.Sum(j => Brotli(j, 2));
    [Benchmark(OperationsPerInvoke = 2_000)] public int BrotliQ4() => _json.Sum(j => Brotli(j, 4));
    [Benchmark(OperationsPerInvoke = 2_000)] public int DeflateFastest() => _json.Sum(Deflate);
}
