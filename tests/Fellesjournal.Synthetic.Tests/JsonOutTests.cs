using System.Text.Json;

namespace Fellesjournal.Synthetic.Tests;

public class JsonOutTests
{
    [Theory]
    [InlineData(3, 31, 23, 50)]   // winter → summer offset at midnight
    [InlineData(10, 31, 23, 50)]  // summer → winter
    public void Period_across_the_offset_switch_never_ends_before_it_starts(int month, int day, int hour, int minute)
    {
        var j = new JsonOut();
        j.Begin("Encounter", "x");
        var start = new DateTime(2024, month, day, hour, minute, 0);
        j.Period("period", start, start.AddMinutes(30));
        var period = JsonDocument.Parse(j.End().ToArray()).RootElement.GetProperty("period");
        var s = DateTimeOffset.Parse(period.GetProperty("start").GetString()!);
        var e = DateTimeOffset.Parse(period.GetProperty("end").GetString()!);
        Assert.Equal(TimeSpan.FromMinutes(30), e - s);
    }
}
