namespace Fellesjournal.Synthetic.Data;

/// <summary>
/// Norway's population by five-year age group and sex, 1 January 2024, in thousands, rounded.
/// Source: Statistics Norway (SSB), table 07459 "Population, by sex and one-year age groups" (aggregated to
/// five-year groups; approximate figures, total about 5.52 million).
/// </summary>
internal static class Demography
{
    /// <summary>(first age of the group, males, females) in thousands; the last group is 95-104.</summary>
    public static readonly (int From, double Male, double Female)[] AgeGroups =
    [
        (0, 139, 131), (5, 152, 144), (10, 167, 158), (15, 171, 160), (20, 179, 168),
        (25, 192, 180), (30, 202, 190), (35, 198, 186), (40, 190, 179), (45, 190, 181),
        (50, 192, 182), (55, 186, 178), (60, 163, 158), (65, 142, 143), (70, 131, 137),
        (75, 101, 113), (80, 58, 73), (85, 27, 41), (90, 10, 21), (95, 2.5, 7.5),
    ];

    public const int MaxAge = 104;

    /// <summary>Weight of each single year of age (both sexes), spreading each group evenly.</summary>
    public static double[] WeightsByYear()
    {
        var w = new double[MaxAge + 1];
        foreach (var (from, m, f) in AgeGroups)
            for (var a = from; a < from + 5 && a <= MaxAge; a++) w[a] = (m + f) / 5;
        for (var a = 100; a <= MaxAge; a++) w[a] = w[99] * Math.Pow(0.6, a - 99);  // few centenarians
        return w;
    }

    /// <summary>Share of males at an age (from the age group).</summary>
    public static double MaleShare(int age)
    {
        var g = AgeGroups[Math.Min(age / 5, AgeGroups.Length - 1)];
        return g.Male / (g.Male + g.Female);
    }

    /// <summary>Share of the population under 18.</summary>
    public static double ChildShare()
    {
        var w = WeightsByYear();
        return w.Take(18).Sum() / w.Sum();
    }
}
