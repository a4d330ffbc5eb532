using System.Globalization;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// E-prescriptions over the store. What remains of a prescription is kept on it (extension
/// <see cref="MedicationCodes.RemainingDispensesExtension"/>: 1 + numberOfRepeatsAllowed at issue, decremented by each
/// dispense), so the check and the decrement are one write guarded by the prescription's version: of two pharmacies
/// dispensing the last reiteration at once, one write wins and the other re-reads and is refused.
/// </summary>
public sealed class PrescriptionService(IResourceStore store, MedicationCatalogue catalogue, SafetyChecks checks, TimeProvider time) : IPrescriptions
{
    public PrescriptionService(IResourceStore store) : this(store, MedicationCatalogue.Default, SafetyChecks.Default, TimeProvider.System) { }

    public Task<PrescriptionResult> PrescribeAsync(Principal? caller, JsonObject prescription, string? overrideReason = null, CancellationToken ct = default)
    {
        MedicationRoles.RequirePrescriber(caller, "Prescribing");
        if (FhirJson.Str(prescription, "resourceType") != "MedicationRequest")
            throw MedicationException.Invalid("The prescription must be a MedicationRequest.", "MedicationRequest");
        var subject = FhirJson.Str(prescription, "subject", "reference");
        if (subject is null || !subject.StartsWith("Patient/", StringComparison.Ordinal) || subject.Length <= 8)
            throw MedicationException.Invalid("The prescription needs subject = Patient/{id}.", "MedicationRequest.subject");
        var patientId = subject[8..];
        var item = MedicationItem.Of(prescription, catalogue)
            ?? throw MedicationException.Invalid("The medicine must be a catalogue Medication (Medication/med-{ATC}) or a medicationCodeableConcept with an ATC coding.", "MedicationRequest.medication");
        var dosage = FhirJson.Str(prescription, "dosageInstruction", "text") ?? catalogue.Find(item.Atc)?.Dosage
            ?? throw MedicationException.Invalid("The prescription needs a dosage (dosageInstruction.text).", "MedicationRequest.dosageInstruction");
        var dr = prescription["dispenseRequest"] as JsonObject ?? new JsonObject();
        var repeats = 0;
        if (dr["numberOfRepeatsAllowed"] is JsonValue rv)
            if (!rv.TryGetValue<int>(out repeats) || repeats < 0 || repeats > 99)
                throw MedicationException.Invalid("numberOfRepeatsAllowed must be a whole number from 0 to 99.", "MedicationRequest.dispenseRequest.numberOfRepeatsAllowed");
        var now = time.GetUtcNow();
        var (start, end) = Validity(dr, now);
        var quantity = dr["quantity"]?.DeepClone() as JsonObject;
        if (quantity is null && catalogue.Find(item.Atc) is { } entry)
            quantity = new JsonObject { ["value"] = entry.PackSize, ["unit"] = entry.PackUnit };

        return Conflicts.RetryAsync(store, async tx =>
        {
            var patient = await tx.GetAsync("Patient", patientId, ct);
            if (patient is null || patient.IsDeleted)
                throw MedicationException.NotFound($"Patient/{patientId} does not exist.", "MedicationRequest.subject");
            var state = await PatientMedication.LoadAsync(tx, patientId, ct);
            var mr = new JsonObject
            {
                ["resourceType"] = "MedicationRequest",
                ["id"] = FhirJson.NewId(),
            };
            var (medName, medValue) = Statements.MedicationOf(prescription);
            FillRequest(mr, medName, medValue, patientId, caller!, now, prescription["dosageInstruction"]?.DeepClone() as JsonArray ?? new JsonArray(FhirJson.Text(dosage)),
                start, end, repeats, quantity, prescription["reasonCode"]?.DeepClone(), prescription["note"]?.DeepClone(), null);
            return await IssueAsync(tx, state, mr, item with { Reference = "MedicationRequest/" + mr["id"] }, dosage, caller!, overrideReason, false, null, now, ct);
        }, "Prescribing", ct);
    }

    public Task<PrescriptionResult> RenewAsync(Principal? caller, string prescriptionId, string? overrideReason = null, CancellationToken ct = default)
    {
        MedicationRoles.RequirePrescriber(caller, "Renewing a prescription");
        var now = time.GetUtcNow();
        return Conflicts.RetryAsync(store, async tx =>
        {
            var (old, oldJson) = await LoadAsync(tx, prescriptionId, ct);
            var status = FhirJson.Str(oldJson, "status");
            if (status is "cancelled" or "stopped" or "entered-in-error" or "draft")
                throw MedicationException.Conflict($"MedicationRequest/{prescriptionId} is {status}; only an active or completed prescription can be renewed.", "MedicationRequest.status");
            var patientId = FhirJson.Str(oldJson, "subject", "reference")![8..];
            var item = MedicationItem.Of(oldJson, catalogue)
                ?? throw MedicationException.BusinessRule("The prescription's medicine has no ATC code; prescribe it anew.", "MedicationRequest.medication");
            var state = await PatientMedication.LoadAsync(tx, patientId, ct);
            state.OpenPrescriptions.RemoveAll(p => p.Id == prescriptionId);
            var dr = oldJson["dispenseRequest"] as JsonObject ?? new JsonObject();
            var repeats = dr["numberOfRepeatsAllowed"] is JsonValue rv && rv.TryGetValue<int>(out var r) ? r : 0;
            var mr = new JsonObject { ["resourceType"] = "MedicationRequest", ["id"] = FhirJson.NewId() };
            var (medName, medValue) = Statements.MedicationOf(oldJson);
            FillRequest(mr, medName, medValue, patientId, caller!, now, oldJson["dosageInstruction"]?.DeepClone() as JsonArray ?? [],
                FhirJson.Date(now), FhirJson.Date(now.AddYears(1)), repeats, dr["quantity"]?.DeepClone() as JsonObject,
                oldJson["reasonCode"]?.DeepClone(), null, "MedicationRequest/" + prescriptionId);
            StoredResource? replaced = null;
            if (status == "active")
            {
                oldJson["status"] = "stopped";
                oldJson["statusReason"] = FhirJson.Text($"Fornyet: erstattet av MedicationRequest/{mr["id"]}");
                replaced = (await tx.MergeAsync([FhirJson.Write(oldJson, old.VersionId)], ct))[0];
            }
            var dosage = FhirJson.Str(oldJson, "dosageInstruction", "text") ?? catalogue.Find(item.Atc)?.Dosage;
            return await IssueAsync(tx, state, mr, item with { Reference = "MedicationRequest/" + mr["id"] }, dosage, caller!, overrideReason, true,
                replaced is null ? null : $"MedicationRequest/{replaced.Id}/_history/{replaced.VersionId}", now, ct);
        }, "Renewing", ct);
    }

    public Task<DispenseResult> DispenseAsync(Principal? caller, string prescriptionId, decimal? quantity = null, CancellationToken ct = default)
    {
        MedicationRoles.RequirePharmacist(caller);
        if (quantity is <= 0)
            throw MedicationException.Invalid("The dispensed quantity must be positive.", "Parameters.parameter[quantity]");
        return Conflicts.RetryAsync(store, async tx =>
        {
            var now = time.GetUtcNow();
            var (mr, json) = await LoadAsync(tx, prescriptionId, ct);
            var status = FhirJson.Str(json, "status");
            if (status is "cancelled" or "stopped" or "entered-in-error")
                throw MedicationException.Conflict($"MedicationRequest/{prescriptionId} is revoked ({status}{Reason(json)}); it cannot be dispensed.", "MedicationRequest.status");
            if (status != "active" && status != "completed")
                throw MedicationException.Conflict($"MedicationRequest/{prescriptionId} is {status}; only an active prescription can be dispensed.", "MedicationRequest.status");
            var remaining = await RemainingAsync(tx, json, prescriptionId, ct);
            if (status == "completed" || remaining <= 0)
                throw MedicationException.Conflict($"MedicationRequest/{prescriptionId} is fully used: no dispenses remain.", "MedicationRequest.dispenseRequest.numberOfRepeatsAllowed");
            var end = FhirJson.Str(json, "dispenseRequest", "validityPeriod", "end");
            if (end is not null && string.CompareOrdinal(end[..Math.Min(10, end.Length)], FhirJson.Date(now)) < 0)
                throw MedicationException.BusinessRule($"MedicationRequest/{prescriptionId} expired on {end}; it cannot be dispensed.", "MedicationRequest.dispenseRequest.validityPeriod.end");
            var start = FhirJson.Str(json, "dispenseRequest", "validityPeriod", "start");
            if (start is not null && string.CompareOrdinal(start[..Math.Min(10, start.Length)], FhirJson.Date(now)) > 0)
                throw MedicationException.BusinessRule($"MedicationRequest/{prescriptionId} is valid from {start}; it cannot be dispensed yet.", "MedicationRequest.dispenseRequest.validityPeriod.start");

            remaining--;
            SetRemaining(json, remaining);
            if (remaining == 0) json["status"] = "completed";
            var qty = json["dispenseRequest"]?["quantity"]?.DeepClone() as JsonObject ?? new JsonObject();
            if (quantity is { } q) qty["value"] = q;
            var (medName, medValue) = Statements.MedicationOf(json);
            var performer = new JsonObject { ["actor"] = FhirJson.PersonnelReference(caller!) };
            var dispense = new JsonObject
            {
                ["resourceType"] = "MedicationDispense",
                ["id"] = FhirJson.NewId(),
                ["status"] = "completed",
                [medName] = medValue,
                ["subject"] = json["subject"]!.DeepClone(),
                ["performer"] = new JsonArray(performer),
                ["authorizingPrescription"] = new JsonArray(FhirJson.Ref("MedicationRequest/" + prescriptionId)),
                ["quantity"] = qty,
                ["whenHandedOver"] = FhirJson.Instant(now),
            };
            if (FhirJson.OrganisationReference(caller!) is { } org) dispense["location"] = new JsonObject { ["display"] = FhirJson.Str(org, "display") };
            if (json["dosageInstruction"] is JsonArray di) dispense["dosageInstruction"] = di.DeepClone();
            var stored = await tx.MergeAsync([FhirJson.Write(dispense), FhirJson.Write(json, mr.VersionId)], ct);
            return new DispenseResult(stored[0], stored[1], remaining);
        }, "Dispensing", ct);
    }

    public Task<StoredResource> RevokeAsync(Principal? caller, string prescriptionId, string reason, CancellationToken ct = default)
    {
        MedicationRoles.RequirePrescriber(caller, "Revoking a prescription");
        if (string.IsNullOrWhiteSpace(reason))
            throw MedicationException.Invalid("Revoking needs a reason.", "Parameters.parameter[reason]");
        return Conflicts.RetryAsync(store, async tx =>
        {
            var (mr, json) = await LoadAsync(tx, prescriptionId, ct);
            var status = FhirJson.Str(json, "status");
            if (status != "active")
                throw MedicationException.Conflict($"MedicationRequest/{prescriptionId} is {status}; only an active prescription can be revoked.", "MedicationRequest.status");
            return await RevokeInAsync(tx, mr, json, reason, caller!, time.GetUtcNow(), ct);
        }, "Revoking", ct);
    }

    /// <summary>Revokes inside the caller's transaction (also used when a treatment is stopped at reconciliation):
    /// cancelled if nothing was dispensed yet, stopped otherwise; with a Provenance naming who and why.</summary>
    internal static async Task<StoredResource> RevokeInAsync(IStoreTransaction tx, StoredResource mr, JsonObject json, string reason,
        Principal who, DateTimeOffset now, CancellationToken ct)
    {
        var total = 1 + (json["dispenseRequest"]?["numberOfRepeatsAllowed"] is JsonValue v && v.TryGetValue<int>(out var r) ? r : 0);
        var remaining = Remaining(json) ?? total;
        json["status"] = remaining >= total ? "cancelled" : "stopped";
        json["statusReason"] = FhirJson.Text(reason);
        var stored = (await tx.MergeAsync([FhirJson.Write(json, mr.VersionId)], ct))[0];
        var provenance = ListWriter.Provenance(FhirJson.NewId(), new JsonArray(FhirJson.Ref($"MedicationRequest/{mr.Id}/_history/{stored.VersionId}")),
            who, reason, "ABORT", now);
        await tx.MergeAsync([FhirJson.Write(provenance)], ct);
        return stored;
    }

    /// <summary>Runs the checks, stores the request with its issues and puts the medicine on the PLL.</summary>
    private async Task<PrescriptionResult> IssueAsync(IStoreTransaction tx, PatientMedication state, JsonObject mr, MedicationItem item,
        string? dosage, Principal caller, string? overrideReason, bool renewal, string? replaced, DateTimeOffset now, CancellationToken ct)
    {
        // A renewal continues the same medicine: it is not a duplicate of itself.
        var findings = checks.Check(item, state.InUse(catalogue).Where(i => !renewal || i.Atc != item.Atc), state.Allergies);
        var blocking = findings.Where(f => f.Blocks).ToList();
        if (blocking.Count > 0 && string.IsNullOrWhiteSpace(overrideReason))
            throw Blocked(blocking, "MedicationRequest.medication");

        var issues = findings.Select(f => SafetyChecks.ToDetectedIssue(f, FhirJson.NewId(), state.PatientId, now, caller, f.Blocks ? overrideReason : null)).ToList();
        if (issues.Count > 0)
            mr["detectedIssue"] = new JsonArray(issues.Select(i => (JsonNode)FhirJson.Ref("DetectedIssue/" + i["id"])).ToArray());
        var stored = await tx.MergeAsync([FhirJson.Write(mr, mustNotExist: true), .. issues.Select(i => FhirJson.Write(i))], ct);
        var request = stored[0];
        var requestRef = "MedicationRequest/" + request.Id;

        var (medName, medValue) = Statements.MedicationOf(mr);
        var existing = state.Entries.FirstOrDefault(e => FhirJson.Str(e.Json, "status") == "active" && MedicationItem.Of(e.Json, catalogue)?.Atc == item.Atc);
        var statement = existing is null
            ? Statements.New(state.PatientId, item, medValue, dosage, requestRef, caller, now)
            : Statements.Change(existing.Json, medValue, dosage, requestRef, caller, now);
        var active = state.Entries.Where(e => FhirJson.Str(e.Json, "status") == "active").Select(e => e.Id).ToList();
        if (existing is null) active.Add((string)statement["id"]!);
        var others = new List<string> { $"{requestRef}/_history/{request.VersionId}" };
        if (replaced is not null) others.Add(replaced);
        var list = await ListWriter.WriteAsync(tx, state, new ListChange([statement], active, caller,
            (renewal ? "Fornyet resept: " : "Ny resept: ") + item.Display, others), now, ct);
        return new PrescriptionResult(request, stored.Skip(1).ToList(), list);
    }

    internal static MedicationException Blocked(IEnumerable<SafetyFinding> blocking, string location)
    {
        var outcome = new OperationOutcome();
        foreach (var f in blocking)
            outcome.Add(IssueSeverity.Error, "business-rule", $"{f.Detail} Recommended: {f.Mitigation}", location);
        outcome.Add(IssueSeverity.Information, "informational",
            "A high-severity safety issue blocks this. To go ahead anyway, repeat the request with an overrideReason; the reason is recorded on the DetectedIssue.", location);
        return new MedicationException(422, outcome);
    }

    private static void FillRequest(JsonObject mr, string medName, JsonNode medValue, string patientId, Principal caller, DateTimeOffset now,
        JsonArray dosageInstruction, string start, string end, int repeats, JsonObject? quantity, JsonNode? reasonCode, JsonNode? note, string? prior)
    {
        mr["extension"] = new JsonArray(new JsonObject { ["url"] = MedicationCodes.RemainingDispensesExtension, ["valueUnsignedInt"] = 1 + repeats });
        mr["status"] = "active";
        mr["intent"] = "order";
        mr[medName] = medValue;
        mr["subject"] = FhirJson.Ref("Patient/" + patientId);
        mr["authoredOn"] = FhirJson.Instant(now);
        mr["requester"] = FhirJson.PersonnelReference(caller);
        if (reasonCode is not null) mr["reasonCode"] = reasonCode;
        if (note is not null) mr["note"] = note;
        mr["dosageInstruction"] = dosageInstruction;
        var dr = new JsonObject
        {
            ["validityPeriod"] = new JsonObject { ["start"] = start, ["end"] = end },
            ["numberOfRepeatsAllowed"] = repeats,
        };
        if (quantity is not null) dr["quantity"] = quantity;
        mr["dispenseRequest"] = dr;
        if (prior is not null) mr["priorPrescription"] = FhirJson.Ref(prior);
    }

    /// <summary>Validity: the given period, else one year from today (the default validity of an e-prescription).</summary>
    private static (string Start, string End) Validity(JsonObject dispenseRequest, DateTimeOffset now)
    {
        var start = FhirJson.Str(dispenseRequest, "validityPeriod", "start") ?? FhirJson.Date(now);
        var end = FhirJson.Str(dispenseRequest, "validityPeriod", "end");
        if (!DateOnly.TryParseExact(start[..Math.Min(10, start.Length)], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var s))
            throw MedicationException.Invalid("validityPeriod.start must be a date.", "MedicationRequest.dispenseRequest.validityPeriod.start");
        if (end is null) return (start, s.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (!DateOnly.TryParseExact(end[..Math.Min(10, end.Length)], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e) || e < s)
            throw MedicationException.Invalid("validityPeriod.end must be a date on or after the start.", "MedicationRequest.dispenseRequest.validityPeriod.end");
        if (e < DateOnly.FromDateTime(now.UtcDateTime))
            throw MedicationException.Invalid("validityPeriod.end is in the past.", "MedicationRequest.dispenseRequest.validityPeriod.end");
        return (start, end);
    }

    private static async Task<(StoredResource, JsonObject)> LoadAsync(IStoreTransaction tx, string id, CancellationToken ct)
    {
        var mr = await tx.GetAsync("MedicationRequest", id, ct);
        if (mr is null || mr.IsDeleted) throw MedicationException.NotFound($"MedicationRequest/{id} does not exist.", "MedicationRequest");
        return (mr, FhirJson.Parse(mr));
    }

    private static string Reason(JsonObject json) => FhirJson.Str(json, "statusReason", "text") is { } r ? ": " + r : "";

    internal static int? Remaining(JsonObject json)
    {
        foreach (var e in (json["extension"] as JsonArray ?? []).OfType<JsonObject>())
            if (FhirJson.Str(e, "url") == MedicationCodes.RemainingDispensesExtension && e["valueUnsignedInt"] is JsonValue v && v.TryGetValue<int>(out var n))
                return n;
        return null;
    }

    private static void SetRemaining(JsonObject json, int remaining)
    {
        var ext = json["extension"] as JsonArray ?? new JsonArray();
        ext.Remove(ext.OfType<JsonObject>().FirstOrDefault(e => FhirJson.Str(e, "url") == MedicationCodes.RemainingDispensesExtension));
        ext.Insert(0, new JsonObject { ["url"] = MedicationCodes.RemainingDispensesExtension, ["valueUnsignedInt"] = remaining });
        json["extension"] = ext;
    }

    /// <summary>The extension when present; for a prescription written elsewhere, 1 + repeats − dispenses so far.</summary>
    private static async Task<int> RemainingAsync(IStoreTransaction tx, JsonObject json, string id, CancellationToken ct)
    {
        if (Remaining(json) is { } n) return n;
        var total = 1 + (json["dispenseRequest"]?["numberOfRepeatsAllowed"] is JsonValue v && v.TryGetValue<int>(out var r) ? r : 0);
        var page = await tx.SearchAsync(new SearchQuery("MedicationDispense", [new SearchCriterion("prescription", null, ["MedicationRequest/" + id])], Count: 1000), ct);
        return total - page.Resources.Count;
    }
}
