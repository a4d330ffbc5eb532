using Fellesjournal.Fhir.Model;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Builds the summary care record over the resource store. The trust rules come from <see cref="AccessPolicy"/>
/// (reservasjon → no summary, blokkering → refused even in an emergency, sperring → locked sections unless opened
/// by consent in the moment or emergency); the facts are read with the server's authority on every request.
/// </summary>
public sealed class SummaryRecord(IResourceStore store, DocumentSigner signer, ISummaryMedicationSource? medications = null, TimeProvider? time = null,
    Func<Guid>? newId = null, CareFactsReader? facts = null) : ISummaryRecord
{
    // The server passes its own reader so the summary and the policy share one facts cache.
    private readonly CareFactsReader _facts = facts ?? new(store);
    private readonly SummaryReader _reader = new(store, medications ?? new StoreMedicationSource(store));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Func<Guid> _newId = newId ?? Guid.NewGuid;

    public async Task<SummaryResult> BuildAsync(string patientId, SummaryRequest request, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        using var snapshot = store.ReadSnapshot();
        var decision = request.Decision;
        IReadOnlyList<LockedSection> citizenLocks = [];
        if (decision is null)
        {
            var (facts, controls) = await _facts.ReadAsync(patientId, ct);
            decision = AccessPolicy.Decide(new AccessRequest
            {
                Principal = request.Caller, Facts = facts, Controls = controls, ResourceType = "Patient", Interaction = Interaction.Read,
                SummaryRecord = true, ConsentInTheMoment = request.ConsentInTheMoment, Now = now,
            });
            citizenLocks = controls.Locks;
        }
        if (!decision.IsPermitted) return Denied(decision, request.Caller);

        using var src = await _reader.ReadAsync(patientId, now, ct);
        if (src is null)
            return new SummaryResult(404, null, OperationOutcome.Single(IssueSeverity.Error, "not-found", $"Patient/{patientId} does not exist.", "Patient.id"), decision);

        // Only an opening by consent in the moment or by emergency is marked; the citizen reading their own record is not.
        var opened = (decision.Flags & (AccessFlags.LockedOpenedByConsent | AccessFlags.LockedOpenedByEmergency)) != 0 ? citizenLocks : [];
        var emergency = (decision.Flags & AccessFlags.Emergency) != 0;
        var (document, disclosed) = Compose(src, decision.HiddenSections, opened, request.BaseUrl.TrimEnd('/'), now, AccessNote(decision, request.Caller),
            emergency, _newId(), signer);
        return new SummaryResult(200, document, null, decision) { Disclosed = disclosed };
    }

    // Reused per thread (composing is synchronous); the signed document is the one copy that leaves.
    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_unsigned;

    /// <summary>Classifies the sources, assembles the document and signs it: the JSON served, and the references it discloses.</summary>
    public static (byte[] Document, IReadOnlyList<string> Disclosed) Compose(SummarySource src, IReadOnlyList<LockedSection> hidden,
        IReadOnlyList<LockedSection> opened, string baseUrl, DateTimeOffset now, string accessNote, bool emergency, Guid documentId, DocumentSigner signer)
    {
        var sections = SummaryClassifier.Classify(src, hidden, opened);
        var unsigned = t_unsigned ??= new System.Buffers.ArrayBufferWriter<byte>(32768);
        unsigned.ResetWrittenCount();
        SummaryDocumentBuilder.Build(unsigned, src, sections, baseUrl, now, accessNote, emergency, documentId);
        var document = SummaryDocumentBuilder.Sign(unsigned.WrittenMemory, signer, now);
        if (unsigned.Capacity > 1 << 20) t_unsigned = null;
        var disclosed = sections.SelectMany(s => s.Entries).Select(r => r.Reference).Prepend(src.Patient.Reference).Distinct().ToList();
        return (document, disclosed);
    }

    /// <summary>
    /// Reservasjon: 404, the summary record does not exist for anyone (the message says why). Personnel: 403 with the
    /// policy's reason (they have identified the patient; e.g. offer emergency access). Citizens: 404, as for any
    /// record they cannot see. Missing authentication: 401.
    /// </summary>
    private static SummaryResult Denied(Decision d, Principal caller)
    {
        var (status, code) = d.DenyReason switch
        {
            DenyReason.NoSummaryRecord => (404, "not-found"),
            DenyReason.NotAuthenticated => (401, "login"),
            _ when caller.Kind == PrincipalKind.Citizen => (404, "not-found"),
            _ => (403, "forbidden"),
        };
        return new SummaryResult(status, null, OperationOutcome.Single(IssueSeverity.Error, code, d.Reason, "Patient.id"), d);
    }

    private static string AccessNote(Decision d, Principal caller)
    {
        var basis = d.Basis switch
        {
            AccessBasis.Emergency => "Åpnet ved nødrett. Begrunnelse: " + caller.TrustFramework?.PurposeDetails,
            AccessBasis.Self => "Åpnet av pasienten selv.",
            AccessBasis.ParentOfChild => "Åpnet av forelder.",
            AccessBasis.Proxy => "Åpnet med fullmakt.",
            AccessBasis.GeneralPractitioner => "Åpnet av fastlegen.",
            AccessBasis.CareRelationship or AccessBasis.Referral => "Åpnet med tjenstlig behov.",
            AccessBasis.SystemClient => "Hentet av en systemklient.",
            _ => "",
        };
        if ((d.Flags & AccessFlags.LockedOpenedByConsent) != 0) basis += " Sperrede deler er åpnet med pasientens samtykke.";
        return basis.Trim();
    }
}
