using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>An operation's result: status, body (a FHIR resource) and the Location of what it created.</summary>
public sealed record MedicationApiResult(int Status, JsonObject Body, string? Location = null, long? VersionId = null);

/// <summary>
/// The FHIR operations of the medication chain, from request body (Parameters) to response resource, independent of
/// HTTP: the server's <c>IFhirOperation</c>s call these, and the documentation's examples are produced by them.
/// Failures are <see cref="MedicationException"/>s (the server turns them into OperationOutcome responses).
/// </summary>
public sealed class MedicationApi(IPrescriptions prescriptions, IMedicationList lists, IReconciliation reconciliation)
{
    /// <summary><c>POST MedicationRequest/$prescribe</c>: Parameters <c>prescription</c> (MedicationRequest) and optional
    /// <c>overrideReason</c>, or a bare MedicationRequest.</summary>
    /// <param name="namedPatient">The patient the request URL names (<c>?patient=</c>), on which the access layer
    /// checked the care relationship; the prescription must be for that patient.</param>
    public async Task<MedicationApiResult> PrescribeAsync(Principal? caller, JsonObject body, CancellationToken ct = default, string? namedPatient = null)
    {
        JsonObject prescription;
        string? overrideReason = null;
        if (FhirJson.Str(body, "resourceType") == "Parameters")
        {
            prescription = FhirJson.Params(body, "prescription").Select(p => p["resource"] as JsonObject).FirstOrDefault(r => r is not null)
                ?? throw MedicationException.Invalid("Parameters needs a 'prescription' with a MedicationRequest resource.", "Parameters.parameter[prescription]");
            overrideReason = StringParam(body, "overrideReason");
        }
        else prescription = body;
        if (namedPatient is not null)
        {
            var named = namedPatient.StartsWith("Patient/", StringComparison.Ordinal) ? namedPatient : "Patient/" + namedPatient;
            if (FhirJson.Str(prescription, "subject", "reference") != named)
                throw MedicationException.Invalid($"The prescription's subject must be the patient the request names ({named}).", "MedicationRequest.subject");
        }
        return Issued(await prescriptions.PrescribeAsync(caller, prescription, overrideReason, ct));
    }

    /// <summary><c>POST MedicationRequest/{id}/$renew</c>: optional <c>overrideReason</c>.</summary>
    public async Task<MedicationApiResult> RenewAsync(Principal? caller, string id, JsonObject? body, CancellationToken ct = default) =>
        Issued(await prescriptions.RenewAsync(caller, id, body is null ? null : StringParam(body, "overrideReason"), ct));

    /// <summary><c>POST MedicationRequest/{id}/$dispense</c>: optional <c>quantity</c> (valueQuantity or valueDecimal).</summary>
    public async Task<MedicationApiResult> DispenseAsync(Principal? caller, string id, JsonObject? body, CancellationToken ct = default)
    {
        decimal? quantity = null;
        if (body is not null && FhirJson.Params(body, "quantity").FirstOrDefault() is { } q)
        {
            var v = q["valueQuantity"]?["value"] ?? q["valueDecimal"];
            if (v is not JsonValue jv || !jv.TryGetValue<decimal>(out var d))
                throw MedicationException.Invalid("quantity must be a valueQuantity or valueDecimal.", "Parameters.parameter[quantity]");
            quantity = d;
        }
        var r = await prescriptions.DispenseAsync(caller, id, quantity, ct);
        var result = Parameters(
            ("dispense", Resource(r.Dispense)),
            ("prescription", Resource(r.Prescription)),
            ("remaining", new JsonObject { ["valueUnsignedInt"] = r.Remaining }));
        return new MedicationApiResult(201, result, $"MedicationDispense/{r.Dispense.Id}/_history/{r.Dispense.VersionId}", r.Dispense.VersionId);
    }

    /// <summary><c>POST MedicationRequest/{id}/$revoke</c>: <c>reason</c> (required). Returns the revoked prescription.</summary>
    public async Task<MedicationApiResult> RevokeAsync(Principal? caller, string id, JsonObject? body, CancellationToken ct = default)
    {
        var reason = body is null ? null : StringParam(body, "reason");
        var r = await prescriptions.RevokeAsync(caller, id, reason ?? "", ct);
        return new MedicationApiResult(200, FhirJson.Parse(r), null, r.VersionId);
    }

    /// <summary><c>GET Patient/{id}/$medication-list</c>: a collection Bundle, the List first and then the statement
    /// versions it references; with <c>history=true</c> every version, newest first, each followed by its Provenance.</summary>
    public async Task<MedicationApiResult> MedicationListAsync(Principal? caller, string patientId, bool history, string baseUrl, CancellationToken ct = default)
    {
        if (caller is null) throw MedicationException.Forbidden("Reading the medication list needs an authenticated caller.");
        var entries = new JsonArray();
        void Add(Fellesjournal.Storage.StoredResource r, bool versioned) => entries.Add(new JsonObject
        {
            ["fullUrl"] = versioned ? $"{baseUrl}/{r.ResourceType}/{r.Id}/_history/{r.VersionId}" : $"{baseUrl}/{r.ResourceType}/{r.Id}",
            ["resource"] = FhirJson.Parse(r),
        });
        if (history)
        {
            var versions = await lists.GetHistoryAsync(patientId, ct);
            if (versions.Count == 0) throw MedicationException.NotFound($"Patient/{patientId} has no medication list.", "Patient");
            foreach (var v in versions)
            {
                Add(v.List, true);
                if (v.Provenance is not null) Add(v.Provenance, false);
            }
        }
        else
        {
            var current = await lists.GetCurrentAsync(patientId, ct)
                ?? throw MedicationException.NotFound($"Patient/{patientId} has no medication list.", "Patient");
            Add(current.List, false);
            foreach (var s in current.Statements) Add(s, true);
        }
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "collection",
            ["entry"] = entries,
        };
        return new MedicationApiResult(200, bundle);
    }

    /// <summary><c>POST Patient/{id}/$reconcile</c>: <c>list</c> (a List with contained MedicationStatements),
    /// <c>mode</c> (compare, the default, or apply), <c>basedOnVersion</c>, <c>reason</c>, <c>overrideReason</c>.</summary>
    public async Task<MedicationApiResult> ReconcileAsync(Principal? caller, string patientId, JsonObject body, CancellationToken ct = default)
    {
        if (FhirJson.Str(body, "resourceType") != "Parameters")
            throw MedicationException.Invalid("The body must be a Parameters resource with a 'list'.", "Parameters");
        var list = FhirJson.Params(body, "list").Select(p => p["resource"] as JsonObject).FirstOrDefault(r => r is not null)
            ?? throw MedicationException.Invalid("Parameters needs a 'list' with a List resource.", "Parameters.parameter[list]");
        var mode = FhirJson.Params(body, "mode").Select(p => FhirJson.Str(p, "valueCode") ?? FhirJson.Str(p, "valueString")).FirstOrDefault() ?? "compare";
        if (mode is not ("compare" or "apply"))
            throw MedicationException.Invalid($"mode must be compare or apply, not '{mode}'.", "Parameters.parameter[mode]");
        long? basedOn = null;
        if (FhirJson.Params(body, "basedOnVersion").FirstOrDefault() is { } b)
        {
            if (b["valueInteger"] is not JsonValue bv || !bv.TryGetValue<long>(out var n) || n < 1)
                throw MedicationException.Invalid("basedOnVersion must be a positive valueInteger.", "Parameters.parameter[basedOnVersion]");
            basedOn = n;
        }
        var r = await reconciliation.ReconcileAsync(caller, patientId,
            new ReconcileRequest(list, mode == "apply", basedOn, StringParam(body, "reason"), StringParam(body, "overrideReason")), ct);
        return new MedicationApiResult(200, r.ToParameters(), null, r.List?.VersionId);
    }

    private static MedicationApiResult Issued(PrescriptionResult r)
    {
        var ps = new List<(string, JsonObject)> { ("prescription", Resource(r.Prescription)) };
        ps.AddRange(r.Issues.Select(i => ("issue", Resource(i))));
        ps.Add(("pllVersion", new JsonObject { ["valueInteger"] = r.List.VersionId }));
        return new MedicationApiResult(201, Parameters([.. ps]),
            $"MedicationRequest/{r.Prescription.Id}/_history/{r.Prescription.VersionId}", r.Prescription.VersionId);
    }

    private static JsonObject Resource(Fellesjournal.Storage.StoredResource r) => new() { ["resource"] = FhirJson.Parse(r) };

    private static JsonObject Parameters(params (string Name, JsonObject Value)[] ps)
    {
        var arr = new JsonArray();
        foreach (var (name, value) in ps)
        {
            var p = new JsonObject { ["name"] = name };
            foreach (var (k, v) in value) p[k] = v?.DeepClone();
            arr.Add(p);
        }
        return new JsonObject { ["resourceType"] = "Parameters", ["parameter"] = arr };
    }

    private static string? StringParam(JsonObject body, string name) =>
        FhirJson.Params(body, name).Select(p => FhirJson.Str(p, "valueString")).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
}
