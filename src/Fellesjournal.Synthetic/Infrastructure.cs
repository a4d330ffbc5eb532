using Fellesjournal.Fhir.Norway;
using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

/// <summary>A practitioner in a role at an organisation (ids of the Practitioner, PractitionerRole and Organization).</summary>
public sealed record StaffMember(string PractitionerId, string RoleId, string OrganizationId, string Hpr, string Given, string Family, bool Male, string Category);

internal sealed class GpPractice(string orgId, string name, string orgNumber, Municipality municipality)
{
    public string OrgId { get; } = orgId;
    public string Name { get; } = name;
    public string OrgNumber { get; } = orgNumber;
    public Municipality Municipality { get; } = municipality;
    public List<StaffMember> Gps { get; } = [];
}

internal sealed class Department(string key, string name, string orgId, string resh)
{
    public string Key { get; } = key;
    public string Name { get; } = name;
    public string OrgId { get; } = orgId;
    public string Resh { get; } = resh;
    public List<StaffMember> Doctors { get; } = [];
    public List<StaffMember> Nurses { get; } = [];
}

internal sealed class HospitalTrust(string key, string name, string orgId, string orgNumber, Municipality municipality)
{
    public string Key { get; } = key;
    public string Name { get; } = name;
    public string OrgId { get; } = orgId;
    public string OrgNumber { get; } = orgNumber;
    public Municipality Municipality { get; } = municipality;
    public Dictionary<string, Department> Departments { get; } = [];
}

/// <summary>Per municipality: the out-of-hours clinic (legevakt), a pharmacy and its pharmacist, the GPs.</summary>
internal sealed class LocalServices(Municipality municipality, string legevaktOrgId, string legevaktOrgNumber, string pharmacyOrgId, string pharmacyOrgNumber)
{
    public Municipality Municipality { get; } = municipality;
    public string LegevaktOrgId { get; } = legevaktOrgId;
    public string LegevaktOrgNumber { get; } = legevaktOrgNumber;
    public string PharmacyOrgId { get; } = pharmacyOrgId;
    public string PharmacyOrgNumber { get; } = pharmacyOrgNumber;
    public StaffMember? Pharmacist { get; set; }
    public StaffMember? LegevaktDoctor { get; set; }
    public List<StaffMember> Gps { get; } = [];
}

/// <summary>
/// The health-service side of the population, sized to the number of patients: GP practices (about one GP per
/// 1,100 residents, as in the fastlege scheme), health trusts with departments and staff, out-of-hours clinics and
/// pharmacies. Identifiers are synthetic but valid (organisation numbers with correct check digits).
/// </summary>
internal sealed class Infrastructure
{
    public List<GpPractice> Practices { get; } = [];
    public List<StaffMember> AllGps { get; } = [];
    public Dictionary<string, HospitalTrust> Hospitals { get; } = [];
    public Dictionary<string, LocalServices> Local { get; } = [];
    public List<StaffMember> AllStaff { get; } = [];

    private readonly Dictionary<string, List<StaffMember>> _regionGps = [];
    private int _orgCounter;
    private int _hprCounter;

    public Infrastructure(ulong seed, int patients)
    {
        var rng = new Prng(seed, 0xF00D);
        var munTable = new WeightedTable(Municipalities.All.Select(m => m.Weight));
        foreach (var m in Municipalities.All)
            Local[m.Number] = new LocalServices(m, $"org-lv-{m.Number}", NextOrgNumber(), $"org-apotek-{m.Number}", NextOrgNumber());

        var gpCount = Math.Max(2, (patients + 1099) / 1100);
        var practiceCount = Math.Max(1, (gpCount + 3) / 4);
        for (var p = 0; p < practiceCount; p++)
        {
            // The first practices go to the largest municipalities so small populations still get local GPs.
            var m = p < 3 ? Municipalities.All[p] : Municipalities.All[munTable.Pick(ref rng)];
            Practices.Add(new GpPractice($"org-gp-{p + 1:D4}", $"{rng.Pick(PracticeNames)} legesenter {m.Name}", NextOrgNumber(), m));
        }
        for (var g = 0; g < gpCount; g++)
        {
            var practice = Practices[g % practiceCount];
            var gp = NewStaff(ref rng, $"prac-gp-{g + 1:D4}", $"role-gp-{g + 1:D4}", practice.OrgId, "LE");
            practice.Gps.Add(gp);
            AllGps.Add(gp);
            Local[practice.Municipality.Number].Gps.Add(gp);
        }

        var perDepartment = 1 + patients / 20000;
        foreach (var (key, name, munNumber) in Clinical.Hospitals)
        {
            var trust = new HospitalTrust(key, name, $"org-hosp-{key}", NextOrgNumber(), Municipalities.All.First(x => x.Number == munNumber));
            Hospitals[key] = trust;
            var d = 0;
            foreach (var (dKey, dName) in Clinical.Departments)
            {
                var dept = new Department(dKey, dName, $"org-dept-{key}-{dKey}", (4200000 + Hospitals.Count * 100 + d++).ToString());
                trust.Departments[dKey] = dept;
                for (var i = 0; i < perDepartment; i++)
                {
                    dept.Doctors.Add(NewStaff(ref rng, $"prac-{key}-{dKey}-lege-{i + 1}", $"role-{key}-{dKey}-lege-{i + 1}", dept.OrgId, "LE"));
                    dept.Nurses.Add(NewStaff(ref rng, $"prac-{key}-{dKey}-spl-{i + 1}", $"role-{key}-{dKey}-spl-{i + 1}", dept.OrgId, "SP"));
                }
            }
        }
        foreach (var local in Local.Values)
        {
            var n = local.Municipality.Number;
            local.Pharmacist = NewStaff(ref rng, $"prac-farm-{n}", $"role-farm-{n}", local.PharmacyOrgId, "FA1");
            local.LegevaktDoctor = NewStaff(ref rng, $"prac-lv-{n}", $"role-lv-{n}", local.LegevaktOrgId, "LE");
        }
    }

    private static readonly string[] PracticeNames = ["Sentrum", "Torget", "Fjordens", "Nordre", "Søndre", "Bryggen", "Parken", "Elvebakken", "Solsiden", "Stasjonen"];

    private StaffMember NewStaff(ref Prng rng, string practitionerId, string roleId, string orgId, string category)
    {
        var male = rng.Chance(category == "SP" ? 0.12 : category == "LE" ? 0.45 : 0.2);
        var given = male ? rng.Pick(Names.MaleMid) : rng.Pick(Names.FemaleMid);
        var family = Names.Surnames[rng.Next(Names.Surnames.Length)];
        // 7-digit HPR numbers from a counter: unique, synthetic, and in the issued format.
        var hpr = (9100000 + 37 * ++_hprCounter).ToString();
        var staff = new StaffMember(practitionerId, roleId, orgId, hpr, given, family, male, category);
        AllStaff.Add(staff);
        return staff;
    }

    /// <summary>A synthetic organisation number with a valid check digit (counter-based, so unique).</summary>
    private string NextOrgNumber()
    {
        while (true)
        {
            var first8 = (92000000 + 613 * ++_orgCounter).ToString();
            if (OrganisationNumber.Create(first8) is { } n) return n;
        }
    }

    public StaffMember GpFor(ref Prng rng, Municipality m)
    {
        var local = Local[m.Number].Gps;
        if (local.Count > 0) return local[rng.Next(local.Count)];
        // No practice in the municipality: a GP in a municipality served by the same hospital, else any.
        if (!_regionGps.TryGetValue(m.Hospital, out var region))
            _regionGps[m.Hospital] = region = AllGps.Where(g => Practices.First(p => p.OrgId == g.OrganizationId).Municipality.Hospital == m.Hospital).ToList();
        return region.Count > 0 ? region[rng.Next(region.Count)] : AllGps[rng.Next(AllGps.Count)];
    }
}
