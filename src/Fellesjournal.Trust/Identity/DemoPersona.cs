namespace Fellesjournal.Trust.Identity;

/// <summary>
/// A demo identity the <see cref="DevelopmentIssuer"/> can mint tokens for. Data only, so the population
/// generator's personas can be mapped onto it. Relationships (GP list, parent of, encounters) are facts in the
/// store, not in the token — as in production.
/// </summary>
public sealed record DemoPersona
{
    public required string Id { get; init; }
    public required PrincipalKind Kind { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? Pid { get; init; }
    public string? HprNumber { get; init; }
    /// <summary>9060 authorization code (LE lege, SP sykepleier, FA1 provisorfarmasøyt).</summary>
    public string? AuthorizationCode { get; init; }
    public string? LegalEntity { get; init; }
    public string? LegalEntityName { get; init; }
    public string? PointOfCare { get; init; }
    public string? PointOfCareName { get; init; }
    /// <summary>RESH id of the department.</summary>
    public string? Department { get; init; }
    public PurposeOfUse Purpose { get; init; } = PurposeOfUse.Treat;
    public string Scopes { get; init; } = "";
    public string? ClientId { get; init; }
}

/// <summary>The built-in demo personas. Numbers are fictitious with valid check digits.</summary>
public static class DemoPersonas
{
    public const string HospitalOrg = "983710018";
    public const string HospitalPointOfCare = "991110003";
    public const string GpOfficeOrg = "974380005";
    public const string PharmacyOrg = "874230006";
    public const string RegistryOrg = "888120009";
    public const string MunicipalityOrg = "912500004";

    public static readonly IReadOnlyList<DemoPersona> All =
    [
        new() { Id = "citizen", Kind = PrincipalKind.Citizen, Name = "Kari Nordmann", Pid = "15038500047",
            Description = "Adult citizen reading her own record", Scopes = "openid patient/*.rs" },
        new() { Id = "parent", Kind = PrincipalKind.Citizen, Name = "Ola Nordmann", Pid = "02029000002",
            Description = "Parent of a child under 12 (child pid 05041500079, relation recorded in the store)", Scopes = "openid patient/*.rs" },
        new() { Id = "gp", Kind = PrincipalKind.Personnel, Name = "Lise Fastlege", Pid = "11117400281", HprNumber = "565501872",
            AuthorizationCode = "LE", LegalEntity = GpOfficeOrg, LegalEntityName = "Sentrum legekontor", PointOfCare = GpOfficeOrg,
            Description = "General practitioner (fastlege)", Scopes = "openid user/*.cruds", ClientId = "demo-ehr-gp" },
        new() { Id = "hospital-doctor", Kind = PrincipalKind.Personnel, Name = "Per Overlege", Pid = "23056800026", HprNumber = "412345678",
            AuthorizationCode = "LE", LegalEntity = HospitalOrg, LegalEntityName = "Demo helseforetak", PointOfCare = HospitalPointOfCare,
            PointOfCareName = "Demo sykehus", Department = "4208000", Description = "Hospital physician",
            Scopes = "openid user/*.cruds", ClientId = "demo-ehr-hospital" },
        new() { Id = "nurse", Kind = PrincipalKind.Personnel, Name = "Nina Sykepleier", Pid = "09076000031", HprNumber = "723456789",
            AuthorizationCode = "SP", LegalEntity = HospitalOrg, LegalEntityName = "Demo helseforetak", PointOfCare = HospitalPointOfCare,
            Department = "4208000", Description = "Hospital nurse", Scopes = "openid user/*.rs user/Observation.cruds", ClientId = "demo-ehr-hospital" },
        new() { Id = "pharmacist", Kind = PrincipalKind.Personnel, Name = "Farid Farmasøyt", Pid = "12091800045", HprNumber = "834567890",
            AuthorizationCode = "FA1", LegalEntity = PharmacyOrg, LegalEntityName = "Demo apotek", PointOfCare = PharmacyOrg,
            Description = "Pharmacist", Scopes = "openid user/Patient.rs user/MedicationRequest.rs user/MedicationDispense.cruds user/AllergyIntolerance.rs",
            ClientId = "demo-pharmacy" },
        new() { Id = "registry", Kind = PrincipalKind.System, Name = "Demo kvalitetsregister", LegalEntity = RegistryOrg,
            Description = "Registry / backend system client (SMART backend services)", Scopes = "system/*.rs", ClientId = "demo-registry" },
    ];

    public static DemoPersona Get(string id) =>
        All.FirstOrDefault(p => p.Id == id) ?? throw new KeyNotFoundException($"No demo persona '{id}'.");
}
