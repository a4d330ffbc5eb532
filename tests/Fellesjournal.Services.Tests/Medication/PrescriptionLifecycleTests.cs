using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using Fellesjournal.Storage;
using static Fellesjournal.Services.Tests.Medication.MedicationWorld;

namespace Fellesjournal.Services.Tests.Medication;

public class PrescriptionLifecycleTests
{
    [Fact]
    public async Task Prescribing_sets_status_requester_one_year_validity_and_what_remains_and_puts_it_on_the_list()
    {
        await using var w = await CreateAsync("p1");
        var r = await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C10AA05", repeats: 2));
        var mr = Json(r.Prescription);
        Assert.Equal("active", (string?)mr["status"]);
        Assert.Equal("order", (string?)mr["intent"]);
        Assert.Equal("9144900", (string?)mr["requester"]!["identifier"]!["value"]);
        Assert.Equal("2026-03-02", (string?)mr["dispenseRequest"]!["validityPeriod"]!["start"]);
        Assert.Equal("2027-03-02", (string?)mr["dispenseRequest"]!["validityPeriod"]!["end"]);
        Assert.Equal(3, PrescriptionService.Remaining(mr));
        Assert.Empty(r.Issues);

        var list = await w.Lists.GetCurrentAsync("p1");
        Assert.NotNull(list);
        Assert.Equal(1, list!.List.VersionId);
        var s = Json(Assert.Single(list.Statements));
        Assert.Equal("Medication/med-C10AA05", (string?)s["medicationReference"]!["reference"]);
        Assert.Equal("MedicationRequest/" + r.Prescription.Id, (string?)s["basedOn"]![0]!["reference"]);
        var history = await w.Lists.GetHistoryAsync("p1");
        var prov = Json(Assert.Single(history).Provenance!);
        Assert.Equal("Ny resept: Atorvastatin 20 mg tablett", (string?)prov["reason"]![0]!["text"]);
        Assert.Equal("9144900", (string?)prov["agent"]![0]!["who"]!["identifier"]!["value"]);
    }

    [Theory]
    [InlineData("pharmacist")]
    [InlineData("nurse")]
    [InlineData("citizen")]
    [InlineData("anonymous")]
    public async Task Only_personnel_with_prescribing_rights_prescribe(string who)
    {
        await using var w = await CreateAsync("p1");
        var caller = who switch { "pharmacist" => PharmacistA, "nurse" => Nurse, "citizen" => Citizen, _ => null };
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(caller, Rx("p1", "C10AA05")));
        Assert.Equal(403, e.Status);
        Assert.Equal("forbidden", e.Outcome.Issues[0].Code);
        Assert.Null(await w.Lists.GetCurrentAsync("p1"));
    }

    [Fact]
    public async Task Dentists_prescribe_too()
    {
        await using var w = await CreateAsync("p1");
        var dentist = Personnel("9144999", "Tone Tannlege", "TL", "974600951", "Tannklinikken");
        var r = await w.Prescriptions.PrescribeAsync(dentist, Rx("p1", "J01CE02"));
        Assert.Equal("active", (string?)Json(r.Prescription)["status"]);
    }

    [Fact]
    public async Task Invalid_prescriptions_are_refused_with_a_location()
    {
        await using var w = await CreateAsync("p1");
        var noSubject = Rx("p1", "C10AA05");
        noSubject.Remove("subject");
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, noSubject));
        Assert.Equal((400, "MedicationRequest.subject"), (e.Status, e.Outcome.Issues[0].Location));

        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, Rx("nobody", "C10AA05")));
        Assert.Equal(404, e.Status);

        var negative = Rx("p1", "C10AA05");
        negative["dispenseRequest"]!["numberOfRepeatsAllowed"] = -1;
        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, negative));
        Assert.Equal((400, "MedicationRequest.dispenseRequest.numberOfRepeatsAllowed"), (e.Status, e.Outcome.Issues[0].Location));

        var unknown = Rx("p1", "C10AA05");
        unknown["medicationReference"] = new JsonObject { ["reference"] = "Medication/whatever" };
        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.PrescribeAsync(Gp, unknown));
        Assert.Equal((400, "MedicationRequest.medication"), (e.Status, e.Outcome.Issues[0].Location));
    }

    [Fact]
    public async Task Each_dispense_decrements_and_a_fully_used_prescription_is_refused()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 1))).Prescription.Id;
        var d1 = await w.Prescriptions.DispenseAsync(PharmacistA, id);
        Assert.Equal(1, d1.Remaining);
        var disp = Json(d1.Dispense);
        Assert.Equal("MedicationRequest/" + id, (string?)disp["authorizingPrescription"]![0]!["reference"]);
        Assert.Equal(98, (int)disp["quantity"]!["value"]!);
        Assert.Equal("9144902", (string?)disp["performer"]![0]!["actor"]!["identifier"]!["value"]);
        var d2 = await w.Prescriptions.DispenseAsync(PharmacistB, id, 30);
        Assert.Equal(0, d2.Remaining);
        Assert.Equal(30m, (decimal)Json(d2.Dispense)["quantity"]!["value"]!);
        Assert.Equal("completed", (string?)(await w.GetAsync("MedicationRequest", id))["status"]);

        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.DispenseAsync(PharmacistA, id));
        Assert.Equal(409, e.Status);
        Assert.Contains("fully used", e.Outcome.Issues[0].Diagnostics);
        Assert.NotNull(e.Outcome.Issues[0].Location);
    }

    [Fact]
    public async Task Only_pharmacists_dispense()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01"))).Prescription.Id;
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.DispenseAsync(Gp, id));
        Assert.Equal(403, e.Status);
        Assert.Equal(1, PrescriptionService.Remaining(await w.GetAsync("MedicationRequest", id)));
    }

    [Fact]
    public async Task An_expired_prescription_is_refused_and_one_still_valid_is_not()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 3))).Prescription.Id;
        w.Clock.Now = new DateTimeOffset(2027, 3, 2, 23, 0, 0, TimeSpan.Zero);   // the last valid day
        await w.Prescriptions.DispenseAsync(PharmacistA, id);
        w.Clock.Now = new DateTimeOffset(2027, 3, 3, 8, 0, 0, TimeSpan.Zero);
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.DispenseAsync(PharmacistA, id));
        Assert.Equal(422, e.Status);
        Assert.Equal("MedicationRequest.dispenseRequest.validityPeriod.end", e.Outcome.Issues[0].Location);
        Assert.Contains("expired", e.Outcome.Issues[0].Diagnostics);
    }

    [Fact]
    public async Task Revoking_needs_a_reason_and_a_revoked_prescription_is_not_dispensed()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 2))).Prescription.Id;
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.RevokeAsync(Gp, id, " "));
        Assert.Equal(400, e.Status);
        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.RevokeAsync(PharmacistA, id, "x"));
        Assert.Equal(403, e.Status);

        var revoked = Json(await w.Prescriptions.RevokeAsync(Gp, id, "Bivirkninger (hoste)"));
        Assert.Equal("cancelled", (string?)revoked["status"]);
        Assert.Equal("Bivirkninger (hoste)", (string?)revoked["statusReason"]!["text"]);

        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.DispenseAsync(PharmacistA, id));
        Assert.Equal(409, e.Status);
        Assert.Contains("revoked", e.Outcome.Issues[0].Diagnostics);
        Assert.Contains("Bivirkninger", e.Outcome.Issues[0].Diagnostics);
        e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.RevokeAsync(Gp, id, "again"));
        Assert.Equal(409, e.Status);
    }

    [Fact]
    public async Task A_partly_dispensed_prescription_is_stopped_when_revoked()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 2))).Prescription.Id;
        await w.Prescriptions.DispenseAsync(PharmacistA, id);
        Assert.Equal("stopped", (string?)Json(await w.Prescriptions.RevokeAsync(Gp, id, "Byttet preparat"))["status"]);
    }

    [Fact]
    public async Task Renewal_issues_a_new_prescription_pointing_at_the_old_and_stops_the_old()
    {
        await using var w = await CreateAsync("p1");
        var old = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 3))).Prescription.Id;
        await w.Prescriptions.DispenseAsync(PharmacistA, old);
        w.Clock.Now = w.Clock.Now.AddMonths(11);
        var renewed = await w.Prescriptions.RenewAsync(Gp, old);
        var mr = Json(renewed.Prescription);
        Assert.Equal("MedicationRequest/" + old, (string?)mr["priorPrescription"]!["reference"]);
        Assert.Equal(4, PrescriptionService.Remaining(mr));
        Assert.Equal("2028-02-02", (string?)mr["dispenseRequest"]!["validityPeriod"]!["end"]);
        Assert.Empty(renewed.Issues);   // not a duplicate of itself
        Assert.Equal("stopped", (string?)(await w.GetAsync("MedicationRequest", old))["status"]);
        // Still one entry on the list, now based on both prescriptions.
        var s = Json(Assert.Single((await w.Lists.GetCurrentAsync("p1"))!.Statements));
        Assert.Equal(2, ((JsonArray)s["basedOn"]!).Count);

        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.RenewAsync(Gp, old));
        Assert.Equal(409, e.Status);
    }

    [Fact]
    public async Task Concurrent_dispenses_of_the_last_reiteration_let_exactly_one_through()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 2))).Prescription.Id;
        await w.Prescriptions.DispenseAsync(PharmacistA, id);
        await w.Prescriptions.DispenseAsync(PharmacistB, id);

        const int pharmacies = 24;
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, pharmacies).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try { await w.Prescriptions.DispenseAsync(i % 2 == 0 ? PharmacistA : PharmacistB, id); return 200; }
            catch (MedicationException e) { return e.Status; }
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(1, results.Count(r => r == 200));
        Assert.Equal(pharmacies - 1, results.Count(r => r == 409));

        var dispenses = await w.Store.SearchAsync(new SearchQuery("MedicationDispense", [new SearchCriterion("prescription", null, ["MedicationRequest/" + id])], Count: 100));
        Assert.Equal(3, dispenses.Resources.Count);
        var mr = await w.GetAsync("MedicationRequest", id);
        Assert.Equal(0, PrescriptionService.Remaining(mr));
        Assert.Equal("completed", (string?)mr["status"]);
    }

    [Fact]
    public async Task Concurrent_dispenses_never_exceed_what_the_prescription_allows()
    {
        await using var w = await CreateAsync("p1");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C09CA01", repeats: 4))).Prescription.Id;
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try { return (await w.Prescriptions.DispenseAsync(PharmacistA, id)).Remaining; }
            catch (MedicationException e) when (e.Status == 409) { return -1; }
        })).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Equal([0, 1, 2, 3, 4], results.Where(r => r >= 0).Order().ToArray());
    }
}
