using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using static Fellesjournal.Services.Tests.Medication.MedicationWorld;

namespace Fellesjournal.Services.Tests.Medication;

/// <summary>The journeys of issue 8, told with the services as the actors use them.</summary>
public class MedicationJourneyTests
{
    [Fact]
    public async Task GP_prescribes_pharmacy_dispenses_twice_hospital_stops_one_drug_and_everyone_sees_the_new_list()
    {
        await using var w = await CreateAsync("anne");

        // The GP prescribes a statin (two reiterations) and metformin.
        var statin = await w.Prescriptions.PrescribeAsync(Gp, Rx("anne", "C10AA05", repeats: 2));
        var metformin = await w.Prescriptions.PrescribeAsync(Gp, Rx("anne", "A10BA02", repeats: 5));

        // The pharmacy dispenses the statin twice, a month apart.
        Assert.Equal(2, (await w.Prescriptions.DispenseAsync(PharmacistA, statin.Prescription.Id)).Remaining);
        w.Clock.Now = w.Clock.Now.AddMonths(3);
        Assert.Equal(1, (await w.Prescriptions.DispenseAsync(PharmacistB, statin.Prescription.Id)).Remaining);

        // Anne is admitted; the hospital reconciles against the PLL and stops metformin.
        w.Clock.Now = w.Clock.Now.AddDays(10);
        var pll = (await w.Lists.GetCurrentAsync("anne"))!;
        var hospitalList = HospitalList(("C10AA05", "1 tablett om kvelden", "active", null), ("A10BA02", null, "stopped", "Nedsatt nyrefunksjon (eGFR 25)"));
        var check = await w.Lists.ReconcileAsync(HospitalDoctor, "anne", new ReconcileRequest(hospitalList, BasedOnVersion: pll.List.VersionId));
        Assert.Equal(DifferenceKind.Stopped, check.Differences.Single(d => d.Atc == "A10BA02").Kind);
        Assert.Equal(DifferenceKind.Unchanged, check.Differences.Single(d => d.Atc == "C10AA05").Kind);
        var applied = await w.Lists.ReconcileAsync(HospitalDoctor, "anne",
            new ReconcileRequest(hospitalList, Apply: true, BasedOnVersion: pll.List.VersionId, Reason: "Legemiddelsamstemming ved innleggelse"));

        // Its prescription is revoked; the statin's is untouched and can still be dispensed.
        Assert.Equal("cancelled", (string?)(await w.GetAsync("MedicationRequest", metformin.Prescription.Id))["status"]);
        var refused = await Assert.ThrowsAsync<MedicationException>(() => w.Prescriptions.DispenseAsync(PharmacistA, metformin.Prescription.Id));
        Assert.Equal(409, refused.Status);
        Assert.Equal(0, (await w.Prescriptions.DispenseAsync(PharmacistA, statin.Prescription.Id)).Remaining);

        // The GP and Anne read the same new version, and who changed it and why.
        foreach (var reader in new[] { "gp", "citizen" })
        {
            var now = (await w.Lists.GetCurrentAsync("anne"))!;
            Assert.Equal(applied.PllVersion, now.List.VersionId);
            var s = Json(Assert.Single(now.Statements));
            Assert.Equal("Medication/med-C10AA05", (string?)s["medicationReference"]!["reference"]);
            var latest = (await w.Lists.GetHistoryAsync("anne"))[0];
            var who = Json(latest.Provenance!)["agent"]![0]!["who"]!;
            Assert.Equal(("Ola Overlege", "9144901"), ((string?)who["display"], (string?)who["identifier"]!["value"]));
            Assert.Equal("Legemiddelsamstemming ved innleggelse", (string?)Json(latest.Provenance!)["reason"]![0]!["text"]);
        }
    }

    [Fact]
    public async Task Two_pharmacies_dispense_the_last_reiteration_at_the_same_moment_and_exactly_one_succeeds()
    {
        await using var w = await CreateAsync("anne");
        var id = (await w.Prescriptions.PrescribeAsync(Gp, Rx("anne", "C10AA05", repeats: 1))).Prescription.Id;
        await w.Prescriptions.DispenseAsync(PharmacistA, id);
        using var go = new ManualResetEventSlim();
        var a = Task.Run(async () => { go.Wait(); try { await w.Prescriptions.DispenseAsync(PharmacistA, id); return "A"; } catch (MedicationException e) when (e.Status == 409) { return null; } });
        var b = Task.Run(async () => { go.Wait(); try { await w.Prescriptions.DispenseAsync(PharmacistB, id); return "B"; } catch (MedicationException e) when (e.Status == 409) { return null; } });
        go.Set();
        var winners = (await Task.WhenAll(a, b)).OfType<string>().ToList();
        Assert.Single(winners);
    }
}

public class PllMedicationSourceTests
{
    [Fact]
    public async Task The_summary_reads_the_PLL_and_falls_back_to_the_store_without_one()
    {
        await using var w = await MedicationWorld.CreateAsync("anne", "bo");
        await w.Prescriptions.PrescribeAsync(MedicationWorld.Gp, MedicationWorld.Rx("anne", "C10AA05"));
        var source = new Fellesjournal.Services.Summary.PllMedicationSource(w.Lists, new Fellesjournal.Services.Summary.StoreMedicationSource(w.Store));
        var anne = await source.GetCurrentAsync("anne");
        Assert.True(anne.FromMedicationList);
        Assert.Equal("MedicationStatement", Assert.Single(anne.Items).ResourceType);
        // Bo has no PLL, only a statement imported from elsewhere.
        await w.Store.MergeAsync([MedicationWorld.Write(new JsonObject
        {
            ["resourceType"] = "MedicationStatement", ["id"] = "imported", ["status"] = "active",
            ["medicationReference"] = new JsonObject { ["reference"] = "Medication/med-C09CA01" },
            ["subject"] = new JsonObject { ["reference"] = "Patient/bo" },
        })]);
        var bo = await source.GetCurrentAsync("bo");
        Assert.False(bo.FromMedicationList);
        Assert.Equal("imported", Assert.Single(bo.Items).Id);
    }
}
