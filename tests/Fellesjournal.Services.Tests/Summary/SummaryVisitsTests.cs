using System.Text;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>The summary picks hospital and emergency visits from the patient's encounters in memory; it must pick what
/// <see cref="SummaryReader.VisitsQuery"/> finds, in the same order, for every shape of encounter.</summary>
public sealed class SummaryVisitsTests : IAsyncLifetime
{
    private readonly SummaryTestStore _t = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _t.DisposeAsync();

    private static ResourceWrite Encounter(string id, string? cls, string? period, string subject = "Patient/p1")
    {
        var c = cls is null ? "" : $$""","class":{{{cls}}}""";
        var p = period is null ? "" : $$""","period":{{{period}}}""";
        return new ResourceWrite("Encounter", id, Encoding.UTF8.GetBytes(
            $$"""{"resourceType":"Encounter","id":"{{id}}","status":"finished"{{c}},"subject":{"reference":"{{subject}}"}{{p}}}"""));
    }

    private const string Imp = "\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IMP\"";

    private async Task<(List<string> Picked, List<string> Searched)> BothAsync(string patientId)
    {
        var reader = new SummaryReader(_t.Store, new StoreMedicationSource(_t.Store));
        var source = await reader.ReadAsync(patientId, Now, default);
        var searched = await _t.Store.SearchAsync(SummaryReader.VisitsQuery(patientId, Now));
        return (source!.Visits.Select(v => v.Id).ToList(), searched.Resources.Select(r => r.Id).ToList());
    }

    [Fact]
    public async Task Edge_shapes_are_picked_as_the_search_finds_them()
    {
        await _t.Store.MergeAsync([
            new ResourceWrite("Patient", "p1", """{"resourceType":"Patient","id":"p1"}"""u8.ToArray()),
            Encounter("recent", Imp, "\"start\":\"2026-10-01T10:00:00Z\",\"end\":\"2026-10-03T10:00:00Z\""),
            Encounter("emer-other-system", "\"system\":\"urn:x\",\"code\":\"EMER\"", "\"start\":\"2025-01-01\""),
            Encounter("gp", "\"code\":\"AMB\"", "\"start\":\"2026-11-01\",\"end\":\"2026-11-01\""),
            Encounter("old", Imp, "\"start\":\"2020-01-01\",\"end\":\"2020-01-05\""),
            // Ended on the day before the window starts, on the day it starts, and in its month (partial dates).
            Encounter("ended-before", Imp, "\"end\":\"2023-11-21\""),
            Encounter("ended-on-first-day", Imp, "\"end\":\"2023-11-22\""),
            Encounter("ended-month", Imp, "\"start\":\"2023-10\",\"end\":\"2023-11\""),
            Encounter("ended-year", Imp, "\"end\":\"2023\""),
            Encounter("ongoing", Imp, "\"start\":\"2026-11-20T08:00:00+01:00\""),
            Encounter("ongoing-old-start", "\"code\":\"ACUTE\"", "\"start\":\"2019-05-01\""),
            Encounter("no-period", Imp, null),
            Encounter("empty-period", Imp, ""),
            Encounter("no-class", null, "\"start\":\"2026-01-01\""),
            Encounter("bad-date", Imp, "\"start\":\"sometime\",\"end\":\"later\""),
            Encounter("timezone", Imp, "\"end\":\"2023-11-22T01:00:00+05:00\""),
            Encounter("same-end-1", "\"code\":\"SS\"", "\"end\":\"2026-06-01\""),
            Encounter("same-end-2", "\"code\":\"OBSENC\"", "\"end\":\"2026-06-01\""),
            Encounter("other-patient", Imp, "\"start\":\"2026-10-01\"", subject: "Patient/p2"),
        ]);
        var (picked, searched) = await BothAsync("p1");
        Assert.Equal(searched, picked);
        Assert.Contains("ended-on-first-day", picked);
        Assert.DoesNotContain("ended-before", picked);
        // Open periods first, in the order they were stored.
        Assert.Equal(["emer-other-system", "ongoing", "ongoing-old-start"], picked.Take(3).ToList());
    }

    [Fact]
    public async Task More_visits_than_the_document_holds_keep_the_newest()
    {
        var writes = new List<ResourceWrite> { new("Patient", "p1", """{"resourceType":"Patient","id":"p1"}"""u8.ToArray()) };
        for (var i = 0; i < SummaryReader.MaxVisits + 20; i++)
            writes.Add(Encounter($"e{i:D3}", Imp, $"\"end\":\"{new DateTime(2026, 1, 1).AddDays(-(i * 7 % 300)):yyyy-MM-dd}\""));
        await _t.Store.MergeAsync(writes);
        var (picked, searched) = await BothAsync("p1");
        Assert.Equal(SummaryReader.MaxVisits, picked.Count);
        Assert.Equal(searched, picked);
    }

    [Fact]
    public async Task A_generated_population_is_picked_as_the_search_finds_it()
    {
        var patients = new List<string>();
        await new PopulationGenerator(seed: 5, patients: 40).WriteBatchesAsync(async batch =>
        {
            patients.AddRange(batch.Where(r => r.Type == "Patient").Select(r => r.Id));
            await _t.Store.MergeAsync(batch.Select(r => new ResourceWrite(r.Type, r.Id, r.Json)).ToList());
        });
        var visits = 0;
        foreach (var id in patients)
        {
            var (picked, searched) = await BothAsync(id);
            Assert.Equal(searched, picked);
            visits += picked.Count;
        }
        Assert.True(visits > 0, "the population has no hospital or emergency visits in the window");
    }
}
