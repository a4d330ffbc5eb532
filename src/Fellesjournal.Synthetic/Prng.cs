namespace Fellesjournal.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, and the same seed gives the same stream on every
/// platform and runtime (System.Random's algorithm is not a documented contract).
/// </summary>
internal struct Prng
{
    private ulong _s0, _s1, _s2, _s3;

    public Prng(ulong seed, ulong stream = 0)
    {
        var x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)((NextULong() >> 32) * (ulong)n >> 32);

    /// <summary>Uniform in [from, to] (inclusive).</summary>
    public int Between(int from, int to) => from + Next(to - from + 1);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(T[] items) => items[Next(items.Length)];

    /// <summary>Normal deviate (Box-Muller; one value per call keeps the stream simple).</summary>
    public double Normal(double mean, double sd)
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return mean + sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Poisson deviate (Knuth; the means used here are small).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 30) return Math.Max(0, (int)Math.Round(Normal(mean, Math.Sqrt(mean))));
        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do { k++; p *= NextDouble(); } while (p > l);
        return k - 1;
    }
}

/// <summary>Cumulative weights for O(log n) weighted picks.</summary>
internal sealed class WeightedTable
{
    private readonly double[] _cumulative;

    public WeightedTable(IEnumerable<double> weights)
    {
        var list = new List<double>();
        var sum = 0.0;
        foreach (var w in weights) { sum += Math.Max(0, w); list.Add(sum); }
        if (sum <= 0) throw new ArgumentException("weights must have a positive sum");
        _cumulative = list.Select(c => c / sum).ToArray();
    }

    public int Count => _cumulative.Length;

    public int Pick(ref Prng rng)
    {
        var u = rng.NextDouble();
        var i = Array.BinarySearch(_cumulative, u);
        if (i < 0) i = ~i;
        return Math.Min(i, _cumulative.Length - 1);
    }
}
