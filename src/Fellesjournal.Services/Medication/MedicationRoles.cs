using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// Who may do what in the chain, from the caller's verified HPR number and health-personnel category
/// (code system 9060 in the trust framework's attestation). Access to the patient (care relationship,
/// blocks) is the HTTP layer's job; these are the role rules of the medication chain itself.
/// </summary>
public static class MedicationRoles
{
    /// <summary>Categories with prescribing rights: lege, tannlege, jordmor (midwives within their limited list,
    /// which this table does not narrow further).</summary>
    public static readonly IReadOnlySet<string> Prescribers = new HashSet<string>(StringComparer.Ordinal) { "LE", "TL", "JM" };

    /// <summary>Pharmacists who dispense: provisorfarmasøyt and reseptarfarmasøyt.</summary>
    public static readonly IReadOnlySet<string> Pharmacists = new HashSet<string>(StringComparer.Ordinal) { "FA1", "FA2" };

    public static string? Category(Principal p) => p.TrustFramework?.AuthorizationCode;

    public static bool IsPersonnel(Principal p) => p.Kind == PrincipalKind.Personnel && !string.IsNullOrEmpty(p.HprNumber);
    public static bool CanPrescribe(Principal p) => IsPersonnel(p) && Category(p) is { } c && Prescribers.Contains(c);
    public static bool CanDispense(Principal p) => IsPersonnel(p) && Category(p) is { } c && Pharmacists.Contains(c);

    public static void RequirePrescriber(Principal? p, string action)
    {
        if (p is null || !CanPrescribe(p))
            throw MedicationException.Forbidden($"{action} requires health personnel with prescribing rights (HPR number and category {string.Join("/", Prescribers)}); caller has {Describe(p)}.");
    }

    public static void RequirePharmacist(Principal? p)
    {
        if (p is null || !CanDispense(p))
            throw MedicationException.Forbidden($"Dispensing requires a pharmacist (HPR number and category {string.Join("/", Pharmacists)}); caller has {Describe(p)}.");
    }

    public static void RequirePersonnel(Principal? p, string action)
    {
        if (p is null || !IsPersonnel(p))
            throw MedicationException.Forbidden($"{action} requires authenticated health personnel with an HPR number; caller has {Describe(p)}.");
    }

    private static string Describe(Principal? p) => p is null ? "no identity"
        : $"kind {p.Kind}, HPR {(p.HprNumber ?? "none")}, category {(Category(p) ?? "none")}";
}
