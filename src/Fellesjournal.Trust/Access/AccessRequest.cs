using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Access;

/// <summary>One question to the policy: may this principal touch this patient's compartment (for this interaction)?</summary>
public sealed record AccessRequest
{
    public required Principal Principal { get; init; }
    public required CareFacts Facts { get; init; }
    public CitizenControls Controls { get; init; } = CitizenControls.None;
    /// <summary>When set, the SMART scopes must grant it (with the context that fits the principal kind).</summary>
    public string? ResourceType { get; init; }
    public Interaction Interaction { get; init; } = Interaction.None;
    /// <summary>The request is for the summary record (kjernejournal), which reservasjon removes.</summary>
    public bool SummaryRecord { get; init; }
    /// <summary>The professional states the patient consented in the moment to opening locked sections.</summary>
    public bool ConsentInTheMoment { get; init; }
    public required DateTimeOffset Now { get; init; }
}
