using Fellesjournal.Fhir.Model;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// The summary care record (kjernejournal): one signed FHIR document per request, built from the patient's
/// compartment with the trust rules applied section by section.
/// </summary>
public interface ISummaryRecord
{
    Task<SummaryResult> BuildAsync(string patientId, SummaryRequest request, CancellationToken ct = default);
}

/// <summary>Who asks, and on what terms.</summary>
public sealed record SummaryRequest
{
    /// <summary>The authenticated caller (from a validated token, never from request parameters).</summary>
    public required Principal Caller { get; init; }

    /// <summary>The policy's decision for this caller and patient, made with <c>SummaryRecord = true</c>, when the
    /// access layer has already decided. Null: the service reads the facts and asks <see cref="AccessPolicy"/> itself.</summary>
    public Decision? Decision { get; init; }

    /// <summary>The professional states that the patient consented, in the moment, to opening locked sections.</summary>
    public bool ConsentInTheMoment { get; init; }

    /// <summary>The FHIR base URL (no trailing slash) for <c>fullUrl</c>s and references in the document.</summary>
    public string BaseUrl { get; init; } = "http://localhost/fhir";
}

/// <summary>
/// The outcome: <see cref="Document"/> (status 200) or <see cref="Outcome"/> with its HTTP status. The
/// <see cref="Decision"/> is returned either way, so the caller can audit the opening (emergency flag, opened locks).
/// </summary>
public sealed record SummaryResult(int Status, byte[]? Document, OperationOutcome? Outcome, Decision? Decision)
{
    public bool Success => Document is not null;

    /// <summary>Resources the document discloses ("Type/id"), for the audit record.</summary>
    public IReadOnlyList<string> Disclosed { get; init; } = [];
}
