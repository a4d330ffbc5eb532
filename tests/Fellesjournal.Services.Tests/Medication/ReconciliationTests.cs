using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using static Fellesjournal.Services.Tests.Medication.MedicationWorld;

namespace Fellesjournal.Services.Tests.Medication;

public class ReconciliationTests
{
    /// <summary>PLL: losartan, metformin, atorvastatin (each prescribed by the GP).</summary>
    private static async Task<(MedicationWorld World, Dictionary<string, string> Rx)> ThreeMedicinesAsync()
    {
        var w = await CreateAsync("p1");
        var rx = new Dictionary<string, string>();
        foreach (var atc in new[] { "C09CA01", "A10BA02", "C10AA05" })
            rx[atc] = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", atc, repeats: 3))).Prescription.Id;
        return (w, rx);
    }

    [Fact]
    public async Task Differences_are_new_stopped_changed_and_unchanged()
    {
        var (w, _) = await ThreeMedicinesAsync();
        await using var _w = w;
        var submitted = HospitalList(
            ("C09CA01", "1 tablett daglig", "active", null),            // unchanged
            ("A10BA02", "2 tabletter 2 ganger daglig", "active", null), // changed dose
            ("N02BE01", "1 g inntil 4 ganger daglig", "active", null)); // new; atorvastatin missing → stopped
        var r = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted));
        Assert.False(r.Applied);
        Assert.Equal(3, r.PllVersion);
        var kinds = r.Differences.ToDictionary(d => d.Atc, d => d.Kind);
        Assert.Equal(DifferenceKind.Unchanged, kinds["C09CA01"]);
        Assert.Equal(DifferenceKind.Changed, kinds["A10BA02"]);
        Assert.Equal(DifferenceKind.New, kinds["N02BE01"]);
        Assert.Equal(DifferenceKind.Stopped, kinds["C10AA05"]);
        var changed = r.Differences.Single(d => d.Atc == "A10BA02");
        Assert.Equal(("1 tablett 2 ganger daglig", "2 tabletter 2 ganger daglig"), (changed.CurrentDosage, changed.ProposedDosage));
        // Nothing was written.
        Assert.Equal(3, (await w.Lists.GetCurrentAsync("p1"))!.List.VersionId);
    }

    [Fact]
    public async Task A_medicine_listed_twice_with_different_doses_is_conflicting_and_apply_is_refused()
    {
        var (w, _) = await ThreeMedicinesAsync();
        await using var _w = w;
        var submitted = HospitalList(("C09CA01", "1 tablett daglig", "active", null), ("C09CA01", "2 tabletter daglig", "active", null),
            ("A10BA02", "1 tablett 2 ganger daglig", "active", null), ("C10AA05", "1 tablett om kvelden", "active", null));
        var r = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted));
        Assert.Equal(DifferenceKind.Conflicting, r.Differences.Single(d => d.Atc == "C09CA01").Kind);
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted, Apply: true)));
        Assert.Equal(409, e.Status);
        Assert.Equal("conflict", e.Outcome.Issues[0].Code);
    }

    [Fact]
    public async Task A_medicine_changed_in_the_PLL_since_the_basis_version_and_proposed_differently_is_conflicting()
    {
        var (w, rx) = await ThreeMedicinesAsync();
        await using var _w = w;
        // The hospital starts from version 3; meanwhile the GP changes the losartan dose (version 4).
        var gpList = HospitalList(("C09CA01", "2 tabletter daglig", "active", null), ("A10BA02", "1 tablett 2 ganger daglig", "active", null),
            ("C10AA05", "1 tablett om kvelden", "active", null));
        Assert.Equal(4, (await w.Lists.ReconcileAsync(Gp, "p1", new ReconcileRequest(gpList, Apply: true, BasedOnVersion: 3))).PllVersion);

        var hospital = HospitalList(("C09CA01", "1/2 tablett daglig", "active", null), ("A10BA02", "1 tablett 2 ganger daglig", "active", null),
            ("C10AA05", "1 tablett om kvelden", "active", null));
        var r = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(hospital, BasedOnVersion: 3));
        var d = r.Differences.Single(x => x.Atc == "C09CA01");
        Assert.Equal(DifferenceKind.Conflicting, d.Kind);
        Assert.Equal("2 tabletter daglig", d.CurrentDosage);
        // Unchanged since the basis: not a conflict.
        Assert.Equal(DifferenceKind.Unchanged, r.Differences.Single(x => x.Atc == "A10BA02").Kind);
        // The same proposal against the current version is a plain change.
        var again = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(hospital, BasedOnVersion: 4));
        Assert.Equal(DifferenceKind.Changed, again.Differences.Single(x => x.Atc == "C09CA01").Kind);
    }

    [Fact]
    public async Task Applying_commits_a_new_version_stops_the_treatment_and_revokes_its_prescriptions()
    {
        var (w, rx) = await ThreeMedicinesAsync();
        await using var _w = w;
        var submitted = HospitalList(("C09CA01", "1 tablett daglig", "active", null), ("A10BA02", "1 tablett 2 ganger daglig", "active", null),
            ("C10AA05", null, "stopped", "Muskelsmerter"));
        var r = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted, Apply: true, BasedOnVersion: 3, Reason: "Innleggelse, samstemming"));
        Assert.True(r.Applied);
        Assert.Equal(4, r.PllVersion);
        Assert.Equal($"MedicationRequest/{rx["C10AA05"]}/_history/2", Assert.Single(r.Revoked));

        var mr = await w.GetAsync("MedicationRequest", rx["C10AA05"]);
        Assert.Equal("cancelled", (string?)mr["status"]);
        Assert.Contains("Innleggelse", (string?)mr["statusReason"]!["text"]);
        Assert.Equal("active", (string?)(await w.GetAsync("MedicationRequest", rx["C09CA01"]))["status"]);

        var current = (await w.Lists.GetCurrentAsync("p1"))!;
        Assert.Equal(2, current.Statements.Count);
        var history = await w.Lists.GetHistoryAsync("p1");
        Assert.Equal([4L, 3, 2, 1], history.Select(h => h.List.VersionId).ToArray());
        var prov = Json(history[0].Provenance!);
        Assert.Equal("9144901", (string?)prov["agent"]![0]!["who"]!["identifier"]!["value"]);
        Assert.Equal("983974899", (string?)prov["agent"]![0]!["onBehalfOf"]!["identifier"]!["value"]);
        Assert.Equal("Innleggelse, samstemming", (string?)prov["reason"]![0]!["text"]);
        var targets = ((JsonArray)prov["target"]!).Select(t => (string?)t!["reference"]).ToList();
        Assert.Contains("List/pll-p1/_history/4", targets);
        Assert.Contains($"MedicationRequest/{rx["C10AA05"]}/_history/2", targets);
        // The stopped statement carries the reason; the old list version still references its active version.
        var stopped = targets.Single(t => t!.StartsWith("MedicationStatement/"))!;
        var stoppedJson = Json((await w.Store.GetVersionAsync("MedicationStatement", stopped.Split('/')[1], long.Parse(stopped.Split('/')[3])))!);
        Assert.Equal("stopped", (string?)stoppedJson["status"]);
        Assert.Contains("Muskelsmerter", (string?)stoppedJson["statusReason"]![0]!["text"]);
        var v3 = history[1].List;
        Assert.Equal(3, ((JsonArray)Json(v3)["entry"]!).Count);
    }

    [Fact]
    public async Task Only_prescribers_apply_but_any_personnel_may_compare()
    {
        var (w, _) = await ThreeMedicinesAsync();
        await using var _w = w;
        var submitted = HospitalList(("C09CA01", "1 tablett daglig", "active", null));
        Assert.NotEmpty((await w.Lists.ReconcileAsync(Nurse, "p1", new ReconcileRequest(submitted))).Differences);
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Lists.ReconcileAsync(Nurse, "p1", new ReconcileRequest(submitted, Apply: true)));
        Assert.Equal(403, e.Status);
        e = await Assert.ThrowsAsync<MedicationException>(() => w.Lists.ReconcileAsync(Citizen, "p1", new ReconcileRequest(submitted)));
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task A_high_severity_interaction_in_the_reconciled_list_blocks_apply_and_nothing_changes()
    {
        await using var w = await CreateAsync("p1");
        var warfarin = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "B01AA03"))).Prescription.Id;
        var statin = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C10AA05"))).Prescription.Id;
        // Stops the statin and adds clarithromycin: the interaction with warfarin blocks the whole change.
        var submitted = HospitalList(("B01AA03", "Etter INR-skjema", "active", null), ("J01FA09", "1 tablett 2 ganger daglig i 7 dager", "active", null));
        var diff = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted));
        Assert.Contains(diff.Issues, i => (string?)i["severity"] == "high" && (string?)i["code"]!["coding"]![0]!["code"] == "DRG");
        var e = await Assert.ThrowsAsync<MedicationException>(() => w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted, Apply: true)));
        Assert.Equal(422, e.Status);
        Assert.Equal(2, (await w.Lists.GetCurrentAsync("p1"))!.List.VersionId);
        Assert.Equal("active", (string?)(await w.GetAsync("MedicationRequest", statin))["status"]);

        var r = await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted, Apply: true, OverrideReason: "Kort kur, INR følges"));
        Assert.True(r.Applied);
        Assert.Equal("cancelled", (string?)(await w.GetAsync("MedicationRequest", statin))["status"]);
        var stored = await w.GetAsync("DetectedIssue", (string)r.Issues.Single(i => (string?)i["severity"] == "high")["id"]!);
        Assert.Contains("Kort kur", stored.ToJsonString());
    }

    [Fact]
    public async Task A_list_without_interactions_raises_no_issue()
    {
        var (w, _) = await ThreeMedicinesAsync();
        await using var _w = w;
        var submitted = HospitalList(("C09CA01", "1 tablett daglig", "active", null), ("N02BE01", "1 g ved behov", "active", null));
        Assert.Empty((await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(submitted))).Issues);
    }
}
