using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Access;

/// <summary>
/// The access rules of issue 7 as a pure function over facts (no I/O): citizens reach their own compartment,
/// children under 12 through a recorded parent relation, and adults who granted them proxy; health personnel need
/// a care relationship and purpose TREAT/COC, or ETREAT with a stated reason (flagged); blokkering is absolute;
/// reservasjon removes the summary record; sperring hides locked sections unless opened by consent or emergency.
/// </summary>
public static class AccessPolicy
{
    /// <summary>Parents have digital access to children under this age.</summary>
    public const int ParentAccessMaxAgeExclusive = 12;

    public static Decision Decide(AccessRequest r)
    {
        var p = r.Principal;
        if (r.ResourceType is { } type && r.Interaction != Interaction.None)
        {
            var context = p.Kind switch { PrincipalKind.Citizen => ScopeContext.Patient, PrincipalKind.System => ScopeContext.System, _ => (ScopeContext?)null };
            // Personnel may use user/ scopes or patient/ scopes from an EHR launch.
            var allowed = context is { } c ? p.Scopes.Allows(type, r.Interaction, c)
                : p.Scopes.Allows(type, r.Interaction, ScopeContext.User) || p.Scopes.Allows(type, r.Interaction, ScopeContext.Patient);
            if (!allowed) return Decision.Deny(DenyReason.ScopeNotGranted, $"The token's scopes do not grant '{Letters(r.Interaction)}' on {type}.");
        }
        if (r.SummaryRecord && r.Controls.ReservedAgainstSummaryRecord)
            return Decision.Deny(DenyReason.NoSummaryRecord, "The patient has reserved against the summary record (reservasjon); none is kept or shown.");

        return p.Kind switch
        {
            PrincipalKind.Citizen => DecideCitizen(r),
            PrincipalKind.Personnel => DecidePersonnel(r),
            PrincipalKind.System => Decision.Permit(AccessBasis.SystemClient, $"System client '{p.ClientId}' with system scopes.",
                hidden: r.Controls.Locks),
            _ => Decision.Deny(DenyReason.NotAuthenticated, "Unknown principal."),
        };
    }

    private static Decision DecideCitizen(AccessRequest r)
    {
        var pid = r.Principal.Pid;
        var f = r.Facts;
        if (pid is null) return Decision.Deny(DenyReason.NotAuthenticated, "The citizen has no verified pid.");
        if (f.PatientPid is not null && f.PatientPid == pid) return Decision.Permit(AccessBasis.Self, "Own record.");

        if (f.Parents.Any(x => x.ParentPid == pid))
        {
            if (f.BirthDate is not { } born)
                return Decision.Deny(DenyReason.ChildBirthDateUnknown, "The child's birth date is not recorded, so parental access cannot be decided.");
            var age = AgeAt(born, r.Now);
            if (age < ParentAccessMaxAgeExclusive) return Decision.Permit(AccessBasis.ParentOfChild, $"Parent of a child aged {age}.");
            return Decision.Deny(DenyReason.ChildTooOldForParent,
                age < 16 ? "Parents have no digital access to children aged 12–15." : "Parents have no access to the records of persons aged 16 or older.");
        }
        if (f.Proxies.Any(g => g.GranteePid == pid && g.IsActiveAt(r.Now)))
            return Decision.Permit(AccessBasis.Proxy, "Proxy (fullmakt) granted by the patient.");
        return Decision.Deny(DenyReason.NotOwnRecord, "Citizens may only access their own record, their children under 12, or where proxy is granted.");
    }

    private static Decision DecidePersonnel(AccessRequest r)
    {
        var p = r.Principal;
        var tf = p.TrustFramework;
        var c = r.Controls;
        // Blokkering first: it overrides everything, emergency included.
        if (p.HprNumber is { } hpr && c.BlockedHpr.Contains(hpr))
            return Decision.Deny(DenyReason.Blocked, "The patient has blocked this health professional (blokkering); no access, not even in an emergency.");
        if (tf is null || tf.PurposeOfUse == PurposeOfUse.None)
            return Decision.Deny(DenyReason.NoPurposeOfUse, "Health personnel must state a purpose of use (trust framework).");
        if (tf.Patients.Count > 0 && (r.Facts.PatientPid is null || !tf.Patients.Contains(r.Facts.PatientPid)))
            return Decision.Deny(DenyReason.PatientNotInAttestation, "The token's trust-framework attestation names other patients.");

        if (tf.PurposeOfUse == PurposeOfUse.EmergencyTreat)
        {
            if (string.IsNullOrWhiteSpace(tf.PurposeDetails))
                return Decision.Deny(DenyReason.EmergencyWithoutReason, "Emergency access (ETREAT) requires a stated reason (purpose_of_use_details).");
            var flags = AccessFlags.Emergency | AccessFlags.NotifyCitizen;
            if (c.Locks.Count > 0) flags |= AccessFlags.LockedOpenedByEmergency;
            return Decision.Permit(AccessBasis.Emergency, "Emergency access: " + tf.PurposeDetails, flags);
        }
        if (tf.PurposeOfUse is not (PurposeOfUse.Treat or PurposeOfUse.CoordinationOfCare))
            return Decision.Deny(DenyReason.PurposeNotForCare, "The purpose of use does not permit access to patient data.");

        var relation = FindRelation(p, r.Facts, r.Now);
        if (relation is null)
            return Decision.Deny(DenyReason.NoCareRelationship,
                "No care relationship (tjenstlig behov): no active encounter, episode of care or care team at your organisation, you are not the patient's GP, and no referral is addressed to you.");
        var basis = relation.Kind switch
        {
            CareRelationKind.GeneralPractitioner => AccessBasis.GeneralPractitioner,
            CareRelationKind.Referral => AccessBasis.Referral,
            _ => AccessBasis.CareRelationship,
        };
        var reason = $"Care relationship: {relation.Kind} ({relation.Source}).";
        if (c.Locks.Count == 0) return Decision.Permit(basis, reason);
        if (r.ConsentInTheMoment)
            return Decision.Permit(basis, reason + " Locked sections opened with the patient's consent.", AccessFlags.LockedOpenedByConsent | AccessFlags.NotifyCitizen);
        return Decision.Permit(basis, reason + " Locked sections stay hidden.", hidden: c.Locks);
    }

    /// <summary>The relation that gives this professional access, if any.</summary>
    public static CareRelation? FindRelation(Principal p, CareFacts facts, DateTimeOffset now)
    {
        var orgs = new[] { p.LegalEntity, p.TrustFramework?.PointOfCare, p.OrgNumberChild }.Where(o => o is not null).ToHashSet();
        foreach (var rel in facts.Relations)
        {
            if (!rel.IsActiveAt(now)) continue;
            var byPerson = rel.PractitionerHpr is not null && rel.PractitionerHpr == p.HprNumber;
            var byOrg = rel.OrganisationNumber is not null && orgs.Contains(rel.OrganisationNumber);
            var matches = rel.Kind switch
            {
                // The fastlege list names a person, not an office.
                CareRelationKind.GeneralPractitioner => byPerson,
                _ => byPerson || byOrg,
            };
            if (matches) return rel;
        }
        return null;
    }

    public static int AgeAt(DateOnly born, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var age = today.Year - born.Year;
        if (today < born.AddYears(age)) age--;
        return age;
    }

    private static string Letters(Interaction i) =>
        string.Concat("cruds".Where((_, k) => (i & (Interaction)(1 << k)) != 0));
}
