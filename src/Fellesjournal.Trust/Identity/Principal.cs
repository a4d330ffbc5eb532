namespace Fellesjournal.Trust.Identity;

public enum PrincipalKind { Citizen, Personnel, System }

/// <summary>HL7 v3 PurposeOfUse values the trust framework uses.</summary>
public enum PurposeOfUse { None, Treat, EmergencyTreat, CoordinationOfCare }

/// <summary>
/// A verified caller. Built only by <see cref="TokenValidator"/> (or tests); every field comes from a
/// validated token, never from request parameters.
/// </summary>
public sealed record Principal
{
    public required PrincipalKind Kind { get; init; }
    /// <summary>Issuer name as configured (e.g. "helseid", "idporten", "dev").</summary>
    public string? Issuer { get; init; }
    public string? Subject { get; init; }
    /// <summary>FNR or D-number of the person (citizen or health professional).</summary>
    public string? Pid { get; init; }
    public string? Name { get; init; }
    public string? HprNumber { get; init; }
    /// <summary>Organisation of the client (HelseID client claims orgnr_parent / orgnr_child).</summary>
    public string? OrgNumberParent { get; init; }
    public string? OrgNumberChild { get; init; }
    /// <summary>The <c>nhn:tillitsrammeverk:parameters</c> authorization details, if present.</summary>
    public TrustFrameworkDetails? TrustFramework { get; init; }
    public ScopeSet Scopes { get; init; } = ScopeSet.Empty;
    public string? ClientId { get; init; }
    /// <summary>The token's <c>jti</c>.</summary>
    public string? TokenId { get; init; }
    /// <summary>RFC 7638 thumbprint the token is bound to (<c>cnf.jkt</c>), null for a plain bearer token.</summary>
    public string? ConfirmationThumbprint { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    public PurposeOfUse Purpose => TrustFramework?.PurposeOfUse ?? PurposeOfUse.None;

    /// <summary>The legal entity the professional acts for: the trust-framework one, else the client's parent org.</summary>
    public string? LegalEntity => TrustFramework?.LegalEntity ?? OrgNumberParent;
}

/// <summary>The trust framework's attestation (RFC 9396 <c>authorization_details</c>, type <c>nhn:tillitsrammeverk:parameters</c>).</summary>
public sealed record TrustFrameworkDetails
{
    /// <summary>Health-personnel authorization code from code system 9060 (e.g. LE = lege, SP = sykepleier, FA1 = farmasøyt).</summary>
    public string? AuthorizationCode { get; init; }
    /// <summary>Organisation number of the legal entity (virksomhet).</summary>
    public string? LegalEntity { get; init; }
    public string? LegalEntityName { get; init; }
    /// <summary>Point of care (behandlingssted), organisation number.</summary>
    public string? PointOfCare { get; init; }
    public string? PointOfCareName { get; init; }
    public string? Department { get; init; }
    public string? HealthcareService { get; init; }
    public PurposeOfUse PurposeOfUse { get; init; }
    /// <summary>Free-text purpose details; the stated reason for emergency access.</summary>
    public string? PurposeDetails { get; init; }
    public string? DecisionRefId { get; init; }
    public bool? DecisionRefUserSelected { get; init; }
    /// <summary>Patients the request is for (their pids), as attested by the client.</summary>
    public IReadOnlyList<string> Patients { get; init; } = [];
}
