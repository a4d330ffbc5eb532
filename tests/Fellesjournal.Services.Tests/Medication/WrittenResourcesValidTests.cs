using Fellesjournal.Fhir.Validation;
using Fellesjournal.Services.Medication;
using Fellesjournal.Storage;
using static Fellesjournal.Services.Tests.Medication.MedicationWorld;

namespace Fellesjournal.Services.Tests.Medication;

public class WrittenResourcesValidTests
{
    [Fact]
    public async Task Every_version_the_chain_writes_is_valid_FHIR()
    {
        await using var w = await CreateAsync("p1");
        await w.AllergyAsync("p1", "M01A", "Intoleranse for NSAID", "low");
        var warfarin = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "B01AA03", repeats: 2))).Prescription.Id;
        await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "J01FA09"), "Kort kur, INR følges");   // high interaction, overridden
        await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "M01AE01"), "Kortvarig bruk");            // allergy + interaction
        var statin = (await w.Prescriptions.PrescribeAsync(Gp, Rx("p1", "C10AA05", repeats: 1))).Prescription.Id;
        await w.Prescriptions.DispenseAsync(PharmacistA, warfarin);
        await w.Prescriptions.RenewAsync(Gp, warfarin, "INR følges");   // the interaction with clarithromycin is checked again
        await w.Prescriptions.RevokeAsync(Gp, statin, "Bivirkninger");
        await w.Lists.ReconcileAsync(HospitalDoctor, "p1", new ReconcileRequest(
            HospitalList(("B01AA03", "Etter INR-skjema", "active", null), ("N02BE01", "1 g ved behov", "active", null)), Apply: true));

        var validator = FhirValidator.Default;
        var failures = new List<string>();
        var types = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await w.Store.HistoryAsync(new HistoryQuery(Count: 200, Cursor: cursor));
            foreach (var r in page.Entries.Where(r => !r.IsDeleted))
            {
                types.Add(r.ResourceType);
                var outcome = validator.Validate(r.Json);
                if (!outcome.Success)
                    failures.Add($"{r.ResourceType}/{r.Id}/_history/{r.VersionId}: " + string.Join("; ",
                        outcome.Issues.Where(i => i.Severity is Fhir.Model.IssueSeverity.Error or Fhir.Model.IssueSeverity.Fatal).Take(3).Select(i => $"{i.Location}: {i.Diagnostics}")));
            }
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Superset(new HashSet<string> { "MedicationRequest", "MedicationDispense", "MedicationStatement", "List", "Provenance", "DetectedIssue", "Medication" }, types);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }
}
