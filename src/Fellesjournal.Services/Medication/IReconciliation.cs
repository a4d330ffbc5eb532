using System.Text.Json.Nodes;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// Medication reconciliation (<i>legemiddelsamstemming</i>): the list a hospital or GP holds compared with the PLL,
/// and on request committed as the new PLL version in one transaction (stopped treatments revoke their open
/// prescriptions in the same transaction).
/// </summary>
public interface IReconciliation
{
    Task<ReconcileResult> ReconcileAsync(Principal? caller, string patientId, ReconcileRequest request, CancellationToken ct = default);
}

/// <param name="Submitted">A List whose entries reference contained MedicationStatements (<c>#id</c>) or the PLL's
/// own statements (<c>MedicationStatement/{id}</c>, kept as they are). A medicine missing from it, or listed with
/// status stopped, is stopped.</param>
/// <param name="BasedOnVersion">The PLL version the submitter reconciled against; medicines changed in the PLL since
/// then and proposed differently are conflicts.</param>
public sealed record ReconcileRequest(JsonObject Submitted, bool Apply = false, long? BasedOnVersion = null,
    string? Reason = null, string? OverrideReason = null);

public enum DifferenceKind { New, Stopped, Changed, Unchanged, Conflicting }

/// <param name="Statement">The PLL statement concerned (for changed, stopped, unchanged).</param>
public sealed record ListDifference(DifferenceKind Kind, string Atc, string Medication, string? CurrentDosage,
    string? ProposedDosage, string? Statement, string Detail);

/// <param name="Issues">DetectedIssues of the safety checks on the resulting list (stored when applied).</param>
/// <param name="Revoked">Prescriptions revoked because their treatment was stopped (versioned references).</param>
public sealed record ReconcileResult(long? PllVersion, IReadOnlyList<ListDifference> Differences, IReadOnlyList<JsonObject> Issues,
    bool Applied, StoredResource? List, IReadOnlyList<string> Revoked)
{
    /// <summary>The result as the <c>$reconcile</c> operation returns it (a Parameters resource).</summary>
    public JsonObject ToParameters()
    {
        var ps = new JsonArray();
        if (PllVersion is { } v) ps.Add(new JsonObject { ["name"] = "pllVersion", ["valueInteger"] = v });
        foreach (var d in Differences)
        {
            var parts = new JsonArray
            {
                new JsonObject { ["name"] = "kind", ["valueCode"] = d.Kind.ToString().ToLowerInvariant() },
                new JsonObject { ["name"] = "medication", ["valueCoding"] = new JsonObject { ["system"] = MedicationCodes.Atc, ["code"] = d.Atc, ["display"] = d.Medication } },
            };
            if (d.CurrentDosage is not null) parts.Add(new JsonObject { ["name"] = "currentDosage", ["valueString"] = d.CurrentDosage });
            if (d.ProposedDosage is not null) parts.Add(new JsonObject { ["name"] = "proposedDosage", ["valueString"] = d.ProposedDosage });
            if (d.Statement is not null) parts.Add(new JsonObject { ["name"] = "statement", ["valueReference"] = FhirJson.Ref(d.Statement) });
            parts.Add(new JsonObject { ["name"] = "detail", ["valueString"] = d.Detail });
            ps.Add(new JsonObject { ["name"] = "difference", ["part"] = parts });
        }
        foreach (var i in Issues) ps.Add(new JsonObject { ["name"] = "issue", ["resource"] = i.DeepClone() });
        ps.Add(new JsonObject { ["name"] = "applied", ["valueBoolean"] = Applied });
        if (List is not null) ps.Add(new JsonObject { ["name"] = "list", ["resource"] = FhirJson.Parse(List) });
        foreach (var r in Revoked) ps.Add(new JsonObject { ["name"] = "revoked", ["valueReference"] = FhirJson.Ref(r) });
        return new JsonObject { ["resourceType"] = "Parameters", ["parameter"] = ps };
    }
}
