using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

/// <summary>
/// Identifier checks for tests: accepts exactly the listed numbers (all with valid check digits, computed
/// outside the project) and rejects everything else. Swapped for the shared Fellesjournal.Fhir.Norway functions
/// once they are on main.
/// </summary>
public sealed class KnownIdChecks : INorwegianIdChecks
{
    public static readonly HashSet<string> PersonNumbers =
    [
        "15038500047", "02029000002", "11117400281", "23056800026", "09076000031", "12091800045",
        "05041500079", "03121100095", "17061200045", "26070200049", "44068000006",
    ];
    public static readonly HashSet<string> OrgNumbers = ["974380005", "983710018", "991110003", "874230006", "888120009", "912500004"];

    public bool IsValidPersonNumber(string value) => PersonNumbers.Contains(value);
    public bool IsValidOrganisationNumber(string value) => OrgNumbers.Contains(value);
}

/// <summary>A clock tests can set.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
