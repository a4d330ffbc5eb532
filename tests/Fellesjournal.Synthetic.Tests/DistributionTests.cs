using Fellesjournal.Synthetic.Data;
using Xunit.Abstractions;

namespace Fellesjournal.Synthetic.Tests;

/// <summary>At N = 2,000 the population should look like Norway's within sampling tolerance.</summary>
public class DistributionTests(ITestOutputHelper output)
{
    private static readonly Lazy<List<Person>> People = new(() => new PopulationGenerator(2024, 2000).People(out _).ToList());

    [Fact]
    public void Age_bands_match_the_ssb_pyramid_within_3_points()
    {
        var people = People.Value;
        Assert.Equal(2000, people.Count);
        var w = Demography.WeightsByYear();
        var total = w.Sum();
        (int From, int To)[] bands = [(0, 17), (18, 29), (30, 44), (45, 66), (67, 79), (80, 104)];
        foreach (var (from, to) in bands)
        {
            var expected = w[from..(to + 1)].Sum() / total;
            var actual = people.Count(p => p.Age >= from && p.Age <= to) / (double)people.Count;
            output.WriteLine($"{from}-{to}: expected {expected:P1}, actual {actual:P1}");
            Assert.InRange(actual, expected - 0.03, expected + 0.03);
        }
    }

    [Fact]
    public void Sex_ratio_and_elderly_women_majority()
    {
        var people = People.Value;
        var male = people.Count(p => p.Male) / (double)people.Count;
        output.WriteLine($"male share {male:P1}");
        Assert.InRange(male, 0.47, 0.53);
        var old = people.Where(p => p.Age >= 80).ToList();
        Assert.True(old.Count(p => !p.Male) > old.Count(p => p.Male), "women should outnumber men among the 80+");
    }

    [Fact]
    public void Municipalities_and_d_numbers()
    {
        var people = People.Value;
        var totalWeight = Municipalities.All.Sum(m => m.Weight);
        var oslo = people.Count(p => p.Municipality.Number == "0301") / (double)people.Count;
        var osloExpected = Municipalities.All.First(m => m.Number == "0301").Weight / totalWeight;
        output.WriteLine($"Oslo {oslo:P1} (expected {osloExpected:P1})");
        Assert.InRange(oslo, osloExpected - 0.03, osloExpected + 0.03);
        var d = people.Count(p => p.IsDNumber) / (double)people.Count;
        output.WriteLine($"D-numbers {d:P1}");
        Assert.InRange(d, 0.01, 0.035);
    }
}
