using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>The PLL over the store: reads of the current list and its history, and reconciliation.</summary>
public sealed class MedicationListService(IResourceStore store, MedicationCatalogue catalogue, SafetyChecks checks, TimeProvider time)
    : IMedicationList, IReconciliation
{
    public MedicationListService(IResourceStore store) : this(store, MedicationCatalogue.Default, SafetyChecks.Default, TimeProvider.System) { }

    public async Task<MedicationListSnapshot?> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        var list = await store.GetAsync("List", MedicationCodes.ListId(patientId), ct);
        if (list is null || list.IsDeleted) return null;
        return new MedicationListSnapshot(list, await StatementsOfAsync(list, ct));
    }

    public async Task<IReadOnlyList<MedicationListVersion>> GetHistoryAsync(string patientId, CancellationToken ct = default)
    {
        var versions = new List<MedicationListVersion>();
        string? cursor = null;
        do
        {
            var page = await store.HistoryAsync(new HistoryQuery("List", MedicationCodes.ListId(patientId), Count: 100, Cursor: cursor), ct);
            foreach (var v in page.Entries)
                versions.Add(new MedicationListVersion(v, await store.GetAsync("Provenance", ListWriter.ProvenanceId(patientId, v.VersionId), ct)));
            cursor = page.NextCursor;
        } while (cursor is not null);
        return versions;
    }

    private async Task<List<StoredResource>> StatementsOfAsync(StoredResource list, CancellationToken ct)
    {
        var statements = new List<StoredResource>();
        foreach (var (id, version) in PatientMedication.StatementIds(FhirJson.Parse(list)))
        {
            var s = version is { } v ? await store.GetVersionAsync("MedicationStatement", id, v, ct) : await store.GetAsync("MedicationStatement", id, ct);
            if (s is not null) statements.Add(s);
        }
        return statements;
    }

    private sealed record Proposed(MedicationItem Item, JsonNode Medication, string? Dosage, int EntryIndex, JsonObject? Existing, string? ExistingId);

    public async Task<ReconcileResult> ReconcileAsync(Principal? caller, string patientId, ReconcileRequest request, CancellationToken ct = default)
    {
        if (request.Apply) MedicationRoles.RequirePrescriber(caller, "Applying a reconciled medication list");
        else MedicationRoles.RequirePersonnel(caller, "Reconciling a medication list");
        if (FhirJson.Str(request.Submitted, "resourceType") != "List")
            throw MedicationException.Invalid("The reconciled list must be a List of MedicationStatements.", "List");

        // The basis version is immutable: read it before the transaction.
        Dictionary<string, (string Medication, string? Dosage)>? basis = null;
        if (request.BasedOnVersion is { } bv)
        {
            var b = await store.GetVersionAsync("List", MedicationCodes.ListId(patientId), bv, ct)
                ?? throw MedicationException.Invalid($"The PLL has no version {bv}.", "Parameters.parameter[basedOnVersion]");
            basis = (await StatementsOfAsync(b, ct)).Select(FhirJson.Parse).Where(s => FhirJson.Str(s, "status") == "active")
                .Select(s => MedicationItem.Of(s, catalogue)).OfType<MedicationItem>()
                .DistinctBy(i => i.Atc).ToDictionary(i => i.Atc, i => (i.Display, i.Dosage));
        }

        return await Conflicts.RetryAsync(store, async tx =>
        {
            var now = time.GetUtcNow();
            if (await tx.GetAsync("Patient", patientId, ct) is null)
                throw MedicationException.NotFound($"Patient/{patientId} does not exist.", "Patient");
            var state = await PatientMedication.LoadAsync(tx, patientId, ct);
            var current = state.Entries.Where(e => FhirJson.Str(e.Json, "status") == "active")
                .Select(e => (Entry: e, Item: MedicationItem.Of(e.Json, catalogue, "MedicationStatement/" + e.Id)))
                .Where(x => x.Item is not null).ToList();
            var currentByAtc = current.GroupBy(x => x.Item!.Atc).ToDictionary(g => g.Key, g => g.First());
            var (proposed, stoppedExplicit) = ParseSubmitted(request.Submitted, state);

            var differences = new List<ListDifference>();
            var conflicts = new HashSet<string>();
            foreach (var g in proposed.GroupBy(p => p.Item.Atc))
            {
                var first = g.First();
                currentByAtc.TryGetValue(g.Key, out var cur);
                var curDosage = cur.Item?.Dosage;
                if (g.Select(p => Norm(p.Dosage)).Distinct().Count() > 1)
                {
                    conflicts.Add(g.Key);
                    differences.Add(new(DifferenceKind.Conflicting, g.Key, first.Item.Display, curDosage, string.Join(" | ", g.Select(p => p.Dosage)),
                        cur.Entry is null ? null : "MedicationStatement/" + cur.Entry.Id, "Listed more than once with different dosages."));
                    continue;
                }
                if (ChangedSinceBasis(basis, g.Key, cur.Item) && !Same(cur.Item, first))
                {
                    conflicts.Add(g.Key);
                    differences.Add(new(DifferenceKind.Conflicting, g.Key, first.Item.Display, curDosage, first.Dosage,
                        cur.Entry is null ? null : "MedicationStatement/" + cur.Entry.Id,
                        $"Changed in the PLL since version {request.BasedOnVersion}, and proposed differently; reconcile against version {state.ListVersion}."));
                    continue;
                }
                if (cur.Entry is null)
                    differences.Add(new(DifferenceKind.New, g.Key, first.Item.Display, null, first.Dosage, null, "Not on the PLL."));
                else if (!SameMedication(cur.Entry.Json, first.Medication))
                    differences.Add(new(DifferenceKind.Changed, g.Key, first.Item.Display, curDosage, first.Dosage, "MedicationStatement/" + cur.Entry.Id,
                        $"Form or strength changed: {cur.Item!.Display} → {first.Item.Display}."));
                else if (Norm(curDosage) != Norm(first.Dosage))
                    differences.Add(new(DifferenceKind.Changed, g.Key, first.Item.Display, curDosage, first.Dosage, "MedicationStatement/" + cur.Entry.Id, "Dosage changed."));
                else
                    differences.Add(new(DifferenceKind.Unchanged, g.Key, first.Item.Display, curDosage, first.Dosage, "MedicationStatement/" + cur.Entry.Id, "Same as the PLL."));
            }
            var proposedAtcs = proposed.Select(p => p.Item.Atc).ToHashSet();
            foreach (var (atc, cur) in currentByAtc.Where(kv => !proposedAtcs.Contains(kv.Key)))
            {
                if (ChangedSinceBasis(basis, atc, cur.Item))
                {
                    conflicts.Add(atc);
                    differences.Add(new(DifferenceKind.Conflicting, atc, cur.Item!.Display, cur.Item.Dosage, null, "MedicationStatement/" + cur.Entry.Id,
                        $"Changed in the PLL since version {request.BasedOnVersion}, and proposed stopped; reconcile against version {state.ListVersion}."));
                    continue;
                }
                var why = stoppedExplicit.GetValueOrDefault(atc) ?? "Not on the reconciled list.";
                differences.Add(new(DifferenceKind.Stopped, atc, cur.Item!.Display, cur.Item.Dosage, null, "MedicationStatement/" + cur.Entry.Id, why));
            }

            // Safety checks on the resulting list: each new or changed medicine against everything else on it.
            var resulting = proposed.Where(p => !conflicts.Contains(p.Item.Atc)).DistinctBy(p => p.Item.Atc).ToList();
            var findings = new List<SafetyFinding>();
            var seen = new HashSet<string>();
            foreach (var p in resulting.Where(p => differences.Any(d => d.Atc == p.Item.Atc && d.Kind is DifferenceKind.New or DifferenceKind.Changed)))
            {
                var others = resulting.Where(o => o.Item.Atc != p.Item.Atc).Select(o => o.Item with { Reference = null });
                foreach (var f in checks.Check(p.Item with { Reference = null }, others, state.Allergies))
                    if (seen.Add(f.Code + ":" + string.Join(",", f.Implicated.Order(StringComparer.Ordinal))))
                        findings.Add(f);
            }
            var issues = findings.Select(f => SafetyChecks.ToDetectedIssue(f, FhirJson.NewId(), patientId, now, caller,
                f.Blocks && request.Apply ? request.OverrideReason : null)).ToList();

            if (!request.Apply)
                return new ReconcileResult(state.ListVersion, differences, issues, false, null, []);

            if (conflicts.Count > 0)
            {
                var outcome = new OperationOutcome();
                foreach (var d in differences.Where(d => d.Kind == DifferenceKind.Conflicting))
                    outcome.Add(IssueSeverity.Error, "conflict", $"{d.Medication} (ATC {d.Atc}): {d.Detail}", "Parameters.parameter[list].entry");
                throw new MedicationException(409, outcome);
            }
            var blocking = findings.Where(f => f.Blocks).ToList();
            if (blocking.Count > 0 && string.IsNullOrWhiteSpace(request.OverrideReason))
                throw PrescriptionService.Blocked(blocking, "Parameters.parameter[list]");

            var reason = request.Reason ?? "Legemiddelsamstemming";
            var writes = new List<JsonObject>();
            var active = new List<string>();
            foreach (var e in current.Select(c => c.Entry))
            {
                var atc = MedicationItem.Of(e.Json, catalogue)!.Atc;
                var d = differences.First(x => x.Atc == atc);
                if (d.Kind == DifferenceKind.Stopped)
                {
                    writes.Add(Statements.Stop(e.Json, $"Seponert: {d.Detail} ({reason})", caller!, now));
                    continue;
                }
                active.Add(e.Id);
                if (d.Kind == DifferenceKind.Changed)
                {
                    var p = resulting.First(x => x.Item.Atc == atc);
                    writes.Add(Statements.Change(e.Json, p.Medication, p.Dosage, null, caller!, now));
                }
            }
            foreach (var p in resulting.Where(p => differences.Any(d => d.Atc == p.Item.Atc && d.Kind == DifferenceKind.New)))
            {
                var s = Statements.New(patientId, p.Item, p.Medication, p.Dosage, null, caller!, now);
                writes.Add(s);
                active.Add((string)s["id"]!);
            }

            // Stopping a treatment revokes its open prescriptions, in this transaction.
            var stoppedAtcs = differences.Where(d => d.Kind == DifferenceKind.Stopped).Select(d => d.Atc).ToHashSet();
            var revoked = new List<string>();
            foreach (var mr in state.OpenPrescriptions)
            {
                var json = FhirJson.Parse(mr);
                if (MedicationItem.Of(json, catalogue) is { } m && stoppedAtcs.Contains(m.Atc))
                {
                    var r = await PrescriptionService.RevokeInAsync(tx, mr, json, $"Seponert ved legemiddelsamstemming: {reason}", caller!, now, ct);
                    revoked.Add($"MedicationRequest/{r.Id}/_history/{r.VersionId}");
                }
            }
            if (issues.Count > 0) await tx.MergeAsync(issues.Select(i => FhirJson.Write(i)).ToList(), ct);
            var list = await ListWriter.WriteAsync(tx, state, new ListChange(writes, active, caller!, reason,
                [.. revoked, .. issues.Select(i => "DetectedIssue/" + i["id"])]), now, ct);
            return new ReconcileResult(list.VersionId, differences, issues, true, list, revoked);
        }, "Reconciling", ct);
    }

    private (List<Proposed> Proposed, Dictionary<string, string> StoppedExplicit) ParseSubmitted(JsonObject submitted, PatientMedication state)
    {
        var contained = (submitted["contained"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(c => FhirJson.Str(c, "id") is not null).ToDictionary(c => FhirJson.Str(c, "id")!);
        var proposed = new List<Proposed>();
        var stopped = new Dictionary<string, string>();
        var entries = (submitted["entry"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            var location = $"List.entry[{i}].item";
            var r = FhirJson.Str(entries[i], "item", "reference")
                ?? throw MedicationException.Invalid("Each entry needs item.reference.", location);
            JsonObject statement;
            string? existingId = null;
            if (r.StartsWith('#'))
                statement = contained.GetValueOrDefault(r[1..]) ?? throw MedicationException.Invalid($"No contained resource '{r[1..]}'.", location);
            else if (r.StartsWith("MedicationStatement/", StringComparison.Ordinal))
            {
                existingId = r.Split('/')[1];
                statement = state.Entries.FirstOrDefault(e => e.Id == existingId)?.Json
                    ?? throw MedicationException.Invalid($"{r} is not on the patient's PLL.", location);
            }
            else throw MedicationException.Invalid("Entries reference contained MedicationStatements (#id) or the PLL's statements.", location);
            if (FhirJson.Str(statement, "resourceType") != "MedicationStatement")
                throw MedicationException.Invalid("Entries must be MedicationStatements.", location);
            var item = MedicationItem.Of(statement, catalogue)
                ?? throw MedicationException.Invalid("The medicine must be a catalogue Medication (Medication/med-{ATC}) or carry an ATC coding.", location);
            var status = FhirJson.Str(statement, "status") ?? "active";
            if (status is "stopped" or "completed" or "not-taken" or "entered-in-error")
            {
                stopped[item.Atc] = FhirJson.Str(statement, "statusReason", "text") ?? $"Listed as {status}.";
                continue;
            }
            proposed.Add(new Proposed(item, Statements.MedicationOf(statement).Value, item.Dosage, i, statement, existingId));
        }
        return (proposed, stopped);
    }

    private static bool ChangedSinceBasis(Dictionary<string, (string Medication, string? Dosage)>? basis, string atc, MedicationItem? current)
    {
        if (basis is null) return false;
        var had = basis.TryGetValue(atc, out var b);
        if (!had || current is null) return had != (current is not null);
        return Norm(b.Dosage) != Norm(current.Dosage) || b.Medication != current.Display;
    }

    private static bool Same(MedicationItem? current, Proposed p) =>
        current is not null && Norm(current.Dosage) == Norm(p.Dosage) && current.Display == p.Item.Display;

    private static bool SameMedication(JsonObject statement, JsonNode proposed)
    {
        var (_, cur) = Statements.MedicationOf(statement);
        return Key(cur) == Key(proposed);
        static string Key(JsonNode n) => FhirJson.Str(n, "reference") ?? FhirJson.Str(n, "text") ?? n.ToJsonString();
    }

    private static string Norm(string? s) => string.Join(' ', (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
