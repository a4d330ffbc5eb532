namespace Fellesjournal.Trust.Access;

public enum DecisionKind { Permit, PermitWithFlags, Deny }

/// <summary>On what ground access was given.</summary>
public enum AccessBasis { None, Self, ParentOfChild, Proxy, CareRelationship, GeneralPractitioner, Referral, Emergency, SystemClient }

[Flags]
public enum AccessFlags
{
    None = 0,
    /// <summary>ETREAT: emergency access (nødrett), flagged in audit.</summary>
    Emergency = 1,
    /// <summary>Locked sections opened with the patient's consent given in the moment.</summary>
    LockedOpenedByConsent = 2,
    /// <summary>Locked sections opened by emergency access.</summary>
    LockedOpenedByEmergency = 4,
    /// <summary>The citizen must be notified (varsling).</summary>
    NotifyCitizen = 8,
}

/// <summary>Why access was denied; each has a fixed, explainable message.</summary>
public enum DenyReason
{
    None,
    NotAuthenticated,
    ScopeNotGranted,
    NotOwnRecord,
    ChildTooOldForParent,
    ChildBirthDateUnknown,
    NoPurposeOfUse,
    PurposeNotForCare,
    NoCareRelationship,
    EmergencyWithoutReason,
    Blocked,
    PatientNotInAttestation,
    NoSummaryRecord,
}

/// <summary>
/// The policy's answer for one principal and one patient compartment. <see cref="HiddenSections"/> are locked
/// sections that stay closed even though the compartment is open; the store filters them out.
/// </summary>
public sealed record Decision(
    DecisionKind Kind,
    AccessBasis Basis,
    AccessFlags Flags,
    DenyReason DenyReason,
    string Reason,
    IReadOnlyList<LockedSection> HiddenSections)
{
    public bool IsPermitted => Kind != DecisionKind.Deny;

    public static Decision Deny(DenyReason why, string message) => new(DecisionKind.Deny, AccessBasis.None, AccessFlags.None, why, message, []);

    public static Decision Permit(AccessBasis basis, string reason, AccessFlags flags = AccessFlags.None, IReadOnlyList<LockedSection>? hidden = null) =>
        new(flags == AccessFlags.None ? DecisionKind.Permit : DecisionKind.PermitWithFlags, basis, flags, DenyReason.None, reason, hidden ?? []);
}
