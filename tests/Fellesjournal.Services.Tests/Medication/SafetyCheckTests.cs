using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fellesjournal.Services.Medication;
using static Fellesjournal.Services.Tests.Medication.MedicationWorld;

namespace Fellesjournal.Services.Tests.Medication;

public class SafetyCheckTests
{
    private static MedicationItem Item(string atc) => new(atc, MedicationCatalogue.Default.Find(atc)?.Name ?? atc, null, null);

    [Theory]
    [InlineData("N06AB10", "N06AB06", true)]    // escitalopram + sertraline: both SSRIs (N06AB)
    [InlineData("C09AA02", "C09AA05", true)]    // enalapril + ramipril: both ACE inhibitors
    [InlineData("C10AA05", "C10AA05", true)]    // the same substance twice
    [InlineData("C09AA02", "C09CA01", false)]   // ACE inhibitor + ARB: different level-4 groups
    [InlineData("N06AB10", "C10AA05", false)]
    public void Therapeutic_duplication_is_the_same_ATC_level_4(string inUse, string candidate, bool fires)
    {
        var f = SafetyChecks.Default.Check(Item(candidate), [Item(inUse)], []);
        Assert.Equal(fires, f.Any(x => x.Code == "DUPTHPY"));
        Assert.All(f.Where(x => x.Code == "DUPTHPY"), x => Assert.Equal("moderate", x.Severity));
    }

    [Theory]
    [InlineData("J01C", "J01CA04", true)]      // penicillin class allergy covers amoxicillin
    [InlineData("J01CA04", "J01CA04", true)]   // the substance itself
    [InlineData("J01C", "J01FA09", false)]     // clarithromycin is a macrolide, not a penicillin
    [InlineData("M01A", "N02BE01", false)]     // NSAID intolerance does not cover paracetamol
    [InlineData("M01A", "M01AE01", true)]
    public void Allergy_to_a_substance_or_class_fires(string allergy, string candidate, bool fires)
    {
        var f = SafetyChecks.Default.Check(Item(candidate), [], [new AllergyItem(allergy, "allergy", "high", "AllergyIntolerance/a")]);
        Assert.Equal(fires, f.Any(x => x.Code == "ALGY"));
    }

    [Theory]
    [InlineData("B01AA03", "J01FA09", "high")]       // warfarin + clarithromycin
    [InlineData("C10AA01", "J01FA09", "high")]       // simvastatin + clarithromycin
    [InlineData("B01AA03", "M01AE02", "high")]       // warfarin + naproxen (class M01A)
    [InlineData("B01AF02", "B01AC06", "moderate")]   // apixaban + acetylsalicylic acid
    [InlineData("G04BE03", "C01DA14", "high")]       // sildenafil + isosorbide mononitrate (class C01DA)
    [InlineData("H03AA01", "A12AA04", "low")]        // levothyroxine + calcium
    [InlineData("B01AA03", "N02BE01", null)]         // warfarin + paracetamol: no pair
    [InlineData("C10AA05", "C09CA01", null)]
    public void Interactions_come_from_the_table_in_either_order(string a, string b, string? severity)
    {
        foreach (var (x, y) in new[] { (a, b), (b, a) })
        {
            var f = SafetyChecks.Default.Check(Item(x), [Item(y)], []).Where(i => i.Code == "DRG").ToList();
            if (severity is null) Assert.Empty(f);
            else Assert.Equal(severity, Assert.Single(f).Severity);
        }
    }

    [Fact]
    public void The_interaction_table_has_at_least_40_sourced_pairs_by_ATC_code()
    {
        var pairs = InteractionTable.Default.Pairs;
        Assert.True(pairs.Count >= 40, $"{pairs.Count} pairs");
        var atc = new Regex("^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$");
        foreach (var p in pairs)
        {
            Assert.All(p.A.Concat(p.B), c => Assert.Matches(atc, c));
            Assert.Contains(p.Severity, new[] { "high", "moderate", "low" });
            Assert.False(string.IsNullOrWhiteSpace(p.Source));
            Assert.False(string.IsNullOrWhiteSpace(p.Effect));
            Assert.False(string.IsNullOrWhiteSpace(p.Mitigation));
        }
        Assert.True(pairs.Count(p => p.Severity == "high") >= 20);
    }

    [Fact]
    public void The_catalogue_has_ATC_substance_strength_and_form()
    {
        var atc = new Regex("^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$");
        Assert.True(MedicationCatalogue.Default.Entries.Count >= 50);
        foreach (var e in MedicationCatalogue.Default.Entries)
        {
            Assert.Matches(atc, e.Atc);
            var m = MedicationCatalogue.ToResource(e);
            Assert.Equal(e.Atc, (string?)m["code"]!["coding"]![0]!["code"]);
            Assert.False(string.IsNullOrEmpty((string?)m["form"]!["text"]));
            Assert.NotEmpty((JsonArray)m["ingredient"]!);
            Assert.True((decimal)m["ingredient"]![0]!["strength"]!["numerator"]!["value"]! > 0);
        }
    }

    [Fact]
    public async Task A_high_severity_interaction_blocks_the_prescription_until_overridden_with_a_reason()
    {
        await using var w = await CreateAsync("p1");
        var warfarin = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "B01AA03"))).Prescription.Id;

        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "J01FA09")));
        Assert.Equal(422, e.Status);
        Assert.Equal("business-rule", e.Outcome.Issues[0].Code);
        Assert.Equal("MedicationRequest.medication", e.Outcome.Issues[0].Location);
        Assert.Contains("Stockley", e.Outcome.Issues[0].Diagnostics);
        Assert.Single((await w.Lists.GetCurrentAsync("p1"))!.Statements);   // nothing written

        var r = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "J01FA09"), "Penicillinallergi; INR kontrolleres om 3 dager");
        var issue = Json(Assert.Single(r.Issues));
        Assert.Equal("DetectedIssue", (string?)issue["resourceType"]);
        Assert.Equal("DRG", (string?)issue["code"]!["coding"]![0]!["code"]);
        Assert.Equal("high", (string?)issue["severity"]);
        var implicated = ((JsonArray)issue["implicated"]!).Select(i => (string?)i!["reference"]).ToList();
        Assert.Contains("MedicationRequest/" + r.Prescription.Id, implicated);
        Assert.Contains("MedicationRequest/" + warfarin, implicated);
        var overrideMitigation = ((JsonArray)issue["mitigation"]!).Single(m => (string?)m!["action"]!["coding"]?[0]?["code"] == "override")!;
        Assert.Contains("INR kontrolleres", (string?)overrideMitigation["action"]!["text"]);
        Assert.Equal("9144900", (string?)overrideMitigation["author"]!["identifier"]!["value"]);
        Assert.Equal("DetectedIssue/" + r.Issues[0].Id, (string?)Json(r.Prescription)["detectedIssue"]![0]!["reference"]);
    }

    [Fact]
    public async Task A_moderate_issue_is_recorded_but_does_not_block()
    {
        await using var w = await CreateAsync("p1");
        await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "B01AF02"));
        var r = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "B01AC06"));
        var issue = Json(Assert.Single(r.Issues));
        Assert.Equal(("DRG", "moderate"), ((string?)issue["code"]!["coding"]![0]!["code"], (string?)issue["severity"]));
        Assert.Equal(2, (await w.Lists.GetCurrentAsync("p1"))!.Statements.Count);
    }

    [Fact]
    public async Task Duplication_at_prescribing_fires_and_does_not_for_an_unrelated_medicine()
    {
        await using var w = await CreateAsync("p1");
        await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "N06AB10"));
        var dup = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "N06AB06"));
        Assert.Contains(dup.Issues, i => (string?)Json(i)["code"]!["coding"]![0]!["code"] == "DUPTHPY");
        var other = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C10AA05"));
        Assert.Empty(other.Issues);
    }

    [Fact]
    public async Task A_documented_high_criticality_allergy_blocks_and_a_resolved_one_does_not()
    {
        await using var w = await CreateAsync("p1", "p2");
        await w.AllergyAsync("p1", "J01C", "Penicillinallergi", "high");
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "J01CA04")));
        Assert.Equal(422, e.Status);
        Assert.Contains("Penicillinallergi", e.Outcome.Issues[0].Diagnostics);
        // Another class is fine.
        Assert.Empty((await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "J01FA09"))).Issues);

        await w.AllergyAsync("p2", "J01C", "Penicillinallergi (avkreftet)", "high", id: "allergy-2", clinical: "resolved");
        Assert.Empty((await w.Prescriptions.PrescribeAsync(Gp, Rx("p2", "J01CA04"))).Issues);
    }

    [Fact]
    public async Task A_low_criticality_allergy_warns_without_blocking()
    {
        await using var w = await CreateAsync("p1");
        await w.AllergyAsync("p1", "M01A", "Intoleranse for NSAID", "low");
        var r = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "M01AE01"));
        var issue = Json(Assert.Single(r.Issues));
        Assert.Equal(("ALGY", "moderate"), ((string?)issue["code"]!["coding"]![0]!["code"], (string?)issue["severity"]));
        Assert.Contains("AllergyIntolerance/allergy-1", ((JsonArray)issue["implicated"]!).Select(i => (string?)i!["reference"]));
    }
}
