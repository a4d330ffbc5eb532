using System.Text.Json;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// bdl-3, bdl-4 and bdl-7 natively, in one pass over the entries: evaluated as FHIRPath they cost
/// O(n) %resource look-ups and an O(n²) isDistinct() per Bundle (tens of ms at 1,000 entries).
/// </summary>
internal static class BundleChecks
{
    public static void Check(JsonElement bundle, ElementNode node, ValidationRun run)
    {
        if (!bundle.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array) return;
        var type = bundle.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var requestExpected = type is "batch" or "transaction" or "history";
        var responseExpected = type is "batch-response" or "transaction-response" or "history";
        bool bdl3 = true, bdl4 = true, bdl7 = true;
        var seen = type == "history" ? null : new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) continue;
            if (e.TryGetProperty("request", out _) != requestExpected) bdl3 = false;
            if (e.TryGetProperty("response", out _) != responseExpected) bdl4 = false;
            if (seen is not null && e.TryGetProperty("fullUrl", out var fu) && fu.ValueKind == JsonValueKind.String)
            {
                // fullUrl & resource.meta.versionId: '&' treats a missing versionId as ''.
                var version = e.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object &&
                              r.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object &&
                              m.TryGetProperty("versionId", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : "";
                if (!seen.Add(fu.GetString() + "\u0000" + version)) bdl7 = false;
            }
        }
        if (!bdl3)
            run.AddIssue(IssueSeverity.Error, "invariant", "Constraint failed: bdl-3: entry.request mandatory for batch/transaction/history, otherwise prohibited", node.Location);
        if (!bdl4)
            run.AddIssue(IssueSeverity.Error, "invariant", "Constraint failed: bdl-4: entry.response mandatory for batch-response/transaction-response/history, otherwise prohibited", node.Location);
        if (!bdl7)
            run.AddIssue(IssueSeverity.Error, "invariant", "Constraint failed: bdl-7: FullUrl must be unique in a bundle, or else entries with the same fullUrl must have different meta.versionId (except in history bundles)", node.Location);
    }
}
