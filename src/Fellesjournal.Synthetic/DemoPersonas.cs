namespace Fellesjournal.Synthetic;

/// <summary>
/// A demo user: a citizen (logs in with their FNR through ID-porten) or health personnel (HelseID: HPR number,
/// organisation). References point at resources of the generated population.
/// </summary>
/// <param name="Key">Stable key, e.g. "parent", "gp".</param>
/// <param name="Kind">"citizen" or "practitioner".</param>
/// <param name="Reference">Patient/… or Practitioner/…</param>
/// <param name="Pid">The citizen's FNR/D-number (the pid claim).</param>
/// <param name="Hpr">The practitioner's HPR number.</param>
/// <param name="Category">Health-personnel category (kodeverk 9060): LE, SP, FA1.</param>
/// <param name="RoleReference">PractitionerRole/… of the practitioner.</param>
/// <param name="OrganizationReference">Organization/… where the practitioner works.</param>
/// <param name="Related">Other references that matter for the persona (e.g. the parent's child under 12).</param>
public sealed record DemoPersona(
    string Key, string Kind, string Name, string Description, string Reference,
    string? Pid = null, string? Hpr = null, string? Category = null,
    string? RoleReference = null, string? OrganizationReference = null, IReadOnlyList<string>? Related = null);

/// <summary>Picks demo personas from a generated population (deterministic for a seed and size).</summary>
public static class DemoPersonas
{
    /// <summary>
    /// Personas of the population generated with <paramref name="seed"/> and <paramref name="patients"/>: an adult
    /// citizen, an elderly citizen, a parent with a child under 12 (and the child), a teenager 12-15 (no parental
    /// access), the parent's GP, a hospital doctor and a nurse at the parent's hospital, and a pharmacist.
    /// </summary>
    public static IReadOnlyList<DemoPersona> For(ulong seed, int patients)
    {
        var people = new PopulationGenerator(seed, patients).People(out var infra).ToList();
        var list = new List<DemoPersona>();
        static string Name(Person p) => $"{p.Given} {p.Family}";

        var parentOfChild = people.FirstOrDefault(p => p.Age < 12 && (p.Mother ?? p.Father) is not null);
        var parent = parentOfChild is null ? null : parentOfChild.Mother ?? parentOfChild.Father;
        var adult = people.FirstOrDefault(p => p.Age is >= 25 and < 60 && p != parent && !p.IsDNumber) ?? people.FirstOrDefault(p => p.Age >= 18);
        if (adult is not null)
            list.Add(new("citizen", "citizen", Name(adult), "Adult citizen", "Patient/" + adult.Id, adult.Pid));
        if (people.FirstOrDefault(p => p.Age >= 70) is { } elderly)
            list.Add(new("elderly", "citizen", Name(elderly), "Citizen aged 70 or more", "Patient/" + elderly.Id, elderly.Pid));
        if (parent is not null && parentOfChild is not null)
        {
            var children = people.Where(c => (c.Mother == parent || c.Father == parent) && c.Age < 12).Select(c => "Patient/" + c.Id).ToList();
            list.Add(new("parent", "citizen", Name(parent), "Parent of a child under 12 (proxy access)", "Patient/" + parent.Id, parent.Pid, Related: children));
            list.Add(new("child", "citizen", Name(parentOfChild), $"Child under 12 ({parentOfChild.Age} years)", "Patient/" + parentOfChild.Id, parentOfChild.Pid,
                Related: [$"RelatedPerson/rp-{parentOfChild.Index:D6}-{(parentOfChild.Mother == parent ? "mth" : "fth")}"]));
        }
        if (people.FirstOrDefault(p => p.Age is >= 12 and <= 15 && (p.Mother ?? p.Father) is not null) is { } teen)
            list.Add(new("teen", "citizen", Name(teen), "Teenager 12-15 (no parental digital access)", "Patient/" + teen.Id, teen.Pid));

        var anchor = parent ?? adult;
        if (anchor is not null)
        {
            var gp = anchor.Gp;
            list.Add(Staff("gp", "GP (fastlege) of the parent", gp));
            var dept = infra.Hospitals[anchor.Municipality.Hospital].Departments["med"];
            list.Add(Staff("hospital-doctor", "Hospital doctor, " + dept.Name, dept.Doctors[0]));
            list.Add(Staff("nurse", "Nurse, " + dept.Name, dept.Nurses[0]));
            list.Add(Staff("pharmacist", "Pharmacist", infra.Local[anchor.Municipality.Number].Pharmacist!));
        }
        return list;
    }

    private static DemoPersona Staff(string key, string description, StaffMember s) =>
        new(key, "practitioner", $"{s.Given} {s.Family}", description, "Practitioner/" + s.PractitionerId,
            Hpr: s.Hpr, Category: s.Category, RoleReference: "PractitionerRole/" + s.RoleId, OrganizationReference: "Organization/" + s.OrganizationId);
}
