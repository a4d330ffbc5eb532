namespace Fellesjournal.Trust.Access;

public enum CareRelationKind { Encounter, EpisodeOfCare, CareTeam, Referral, GeneralPractitioner }

/// <summary>
/// One fact that may establish *tjenstlig behov*: who (an organisation number and/or a practitioner's HPR number)
/// is in which relation to the patient, and for how long.
/// </summary>
/// <param name="Active">The source's status says it is ongoing (e.g. Encounter in-progress, CareTeam active).</param>
/// <param name="Source">The resource it came from ("Encounter/123"), for audit and explanations.</param>
public sealed record CareRelation(
    CareRelationKind Kind,
    string? OrganisationNumber,
    string? PractitionerHpr,
    bool Active,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string Source)
{
    public bool IsActiveAt(DateTimeOffset now) => Active && (Start is null || Start <= now) && (End is null || End >= now);
}

/// <summary>A recorded parent (RelatedPerson / Patient.link) of the patient, by the parent's pid.</summary>
public sealed record ParentRelation(string ParentPid, string Source);

/// <summary>A proxy (fullmakt) the patient has granted to another person, by the grantee's pid.</summary>
public sealed record ProxyGrant(string GranteePid, DateTimeOffset? Start, DateTimeOffset? End, string Source)
{
    public bool IsActiveAt(DateTimeOffset now) => (Start is null || Start <= now) && (End is null || End >= now);
}

/// <summary>The facts about one patient compartment that the policy needs; derived from the store by <see cref="CareFactsReader"/>.</summary>
public sealed record CareFacts
{
    /// <summary>The Patient resource id (the compartment key in the store).</summary>
    public required string PatientId { get; init; }
    /// <summary>The patient's FNR/D-number, when recorded.</summary>
    public string? PatientPid { get; init; }
    /// <summary>Birth date as recorded on the Patient (never derived from the number).</summary>
    public DateOnly? BirthDate { get; init; }
    public IReadOnlyList<CareRelation> Relations { get; init; } = [];
    public IReadOnlyList<ParentRelation> Parents { get; init; } = [];
    public IReadOnlyList<ProxyGrant> Proxies { get; init; } = [];
}

/// <summary>A locked part of the record: a resource type, or a category coding ("system|code").</summary>
public sealed record LockedSection(string Key, string Source);

/// <summary>The citizen's own controls, from Consent resources (see docs/security.md for the representation).</summary>
public sealed record CitizenControls
{
    public static readonly CitizenControls None = new();

    /// <summary>Sperring: sections opened only by consent-in-the-moment or emergency.</summary>
    public IReadOnlyList<LockedSection> Locks { get; init; } = [];
    /// <summary>Blokkering: HPR numbers of practitioners who may never access, not even in an emergency.</summary>
    public IReadOnlySet<string> BlockedHpr { get; init; } = new HashSet<string>();
    /// <summary>Reservasjon: the citizen has opted out of the summary record.</summary>
    public bool ReservedAgainstSummaryRecord { get; init; }
}
