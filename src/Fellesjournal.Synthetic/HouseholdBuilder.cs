using Fellesjournal.Fhir.Norway;
using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

/// <summary>
/// Builds households: families with children under 18 (one or two parents) and adults living alone or in couples.
/// Children's ages follow the SSB pyramid; parents' ages follow from the children's (mother's age at first birth
/// about 29-30, SSB); the ages of adults outside families are drawn from what is left of the pyramid once the
/// parents are counted, so the whole population matches the pyramid.
/// </summary>
internal sealed class HouseholdBuilder
{
    private readonly double[] _byYear = Demography.WeightsByYear();
    private readonly WeightedTable _childAges;
    private readonly WeightedTable _otherAdultAges;
    private readonly WeightedTable _municipalities = new(Municipalities.All.Select(m => m.Weight));
    private readonly WeightedTable _surnames = new(Names.Surnames.Select((_, i) => 1.0 / (i + 3)));
    private readonly double _familyShare;
    private readonly Infrastructure _infra;
    private readonly HashSet<string> _usedPids = new(StringComparer.Ordinal);

    /// <summary>Kids per family (SSB household statistics: families with children by number of children).</summary>
    private static readonly double[] KidsPerFamily = [0, 0.42, 0.41, 0.14, 0.03];
    private static readonly WeightedTable KidsTable = new(KidsPerFamily);
    private const double SingleParentShare = 0.22;
    private const double CoupleShareWithoutKids = 0.42;
    private const double DNumberShare = 0.02;

    public HouseholdBuilder(Infrastructure infra)
    {
        _infra = infra;
        _childAges = new WeightedTable(_byYear.Take(18));
        // Calibrate with a fixed internal seed: expected kids, parents and the parents' age profile per family.
        var rng = new Prng(0x5EED, 1);
        var parentAges = new double[_byYear.Length];
        double kids = 0, parents = 0;
        const int samples = 20000;
        for (var i = 0; i < samples; i++)
        {
            var f = SampleFamily(ref rng);
            kids += f.KidAges.Count;
            if (f.MotherAge is { } ma) { parents++; parentAges[ma]++; }
            if (f.FatherAge is { } fa) { parents++; parentAges[fa]++; }
        }
        kids /= samples; parents /= samples;
        var otherSize = 1 + CoupleShareWithoutKids;
        var c = Demography.ChildShare();
        _familyShare = c * otherSize / (kids * (1 - c) - c * parents + c * otherSize);
        var perHousehold = _familyShare * (kids + parents) + (1 - _familyShare) * otherSize;
        var total = _byYear.Sum();
        var residual = new double[_byYear.Length];
        for (var a = 18; a < residual.Length; a++)
            residual[a] = Math.Max(0, _byYear[a] / total * perHousehold - _familyShare * parentAges[a] / samples);
        _otherAdultAges = new WeightedTable(residual);
    }

    private readonly record struct FamilyShape(List<int> KidAges, int? MotherAge, int? FatherAge);

    private FamilyShape SampleFamily(ref Prng rng)
    {
        var n = KidsTable.Pick(ref rng);
        var ages = new List<int>(n);
        for (var i = 0; i < n; i++) ages.Add(_childAges.Pick(ref rng));
        ages.Sort();
        var oldest = ages[^1];
        var motherAge = oldest + (int)Math.Clamp(Math.Round(rng.Normal(29.5, 4.5)), 18, 44);
        motherAge = Math.Min(motherAge, Demography.MaxAge);
        // A mother past 46 at a birth is rare: drop such younger siblings.
        ages.RemoveAll(a => motherAge - a > 46);
        if (ages.Count == 0) ages.Add(oldest);
        var fatherAge = Math.Clamp(motherAge + (int)Math.Round(rng.Normal(2.5, 3.5)), 18, Demography.MaxAge);
        if (rng.Chance(SingleParentShare))
            return rng.Chance(0.8) ? new(ages, motherAge, null) : new(ages, null, fatherAge);
        return new(ages, motherAge, fatherAge);
    }

    /// <summary>Builds the household at <paramref name="index"/>; persons are numbered from <paramref name="firstPerson"/>.</summary>
    public List<Person> Build(ulong seed, long index, int firstPerson)
    {
        var rng = new Prng(seed, (ulong)index + 1);
        var mun = Municipalities.All[_municipalities.Pick(ref rng)];
        var post = mun.Postcodes[rng.Next(mun.Postcodes.Length)];
        var line = $"{Municipalities.Streets[rng.Next(Municipalities.Streets.Length)]} {rng.Between(1, 120)}";
        if (rng.Chance(0.3)) line += $", H0{rng.Between(1, 4)}0{rng.Between(1, 4)}";   // flat number (bolignummer)
        var householdGp = _infra.GpFor(ref rng, mun);
        var foreign = rng.Chance(DNumberShare * 1.15);   // D-number holders mostly live alone or as couples
        var family = foreign ? rng.Pick(Names.SurnamesForeign) : Names.Surnames[_surnames.Pick(ref rng)];
        var people = new List<Person>(4);
        var next = firstPerson;

        Person Add(int age, bool male, bool dNumber, string surname)
        {
            var gp = rng.Chance(0.85) ? householdGp : _infra.GpFor(ref rng, mun);
            var p = NewPerson(ref rng, next++, age, male, dNumber, surname, mun, post, line, gp);
            people.Add(p);
            return p;
        }

        if (!foreign && rng.Chance(_familyShare))
        {
            var f = SampleFamily(ref rng);
            var mother = f.MotherAge is { } ma ? Add(ma, false, false, rng.Chance(0.35) ? Names.Surnames[_surnames.Pick(ref rng)] : family) : null;
            var father = f.FatherAge is { } fa ? Add(fa, true, false, family) : null;
            foreach (var age in f.KidAges)
            {
                var kid = Add(age, rng.Chance(Demography.MaleShare(age)), false, father?.Family ?? mother!.Family);
                kid.Mother = mother;
                kid.Father = father;
            }
        }
        else
        {
            var age = _otherAdultAges.Pick(ref rng);
            var male = rng.Chance(Demography.MaleShare(age));
            var first = Add(age, male, foreign && rng.Chance(0.8), family);
            if (rng.Chance(CoupleShareWithoutKids))
            {
                var partnerAge = Math.Clamp(age + (int)Math.Round(rng.Normal(male ? -2 : 2, 3)), 18, Demography.MaxAge);
                var surname = rng.Chance(0.5) ? family : foreign ? rng.Pick(Names.SurnamesForeign) : Names.Surnames[_surnames.Pick(ref rng)];
                Add(partnerAge, rng.Chance(0.97) ? !male : male, foreign && rng.Chance(0.8), surname);
            }
        }
        return people;
    }

    private Person NewPerson(ref Prng rng, int index, int age, bool male, bool dNumber, string family,
        Municipality mun, (string Code, string Place) post, string line, StaffMember gp)
    {
        var birth = PopulationGenerator.Today.AddYears(-age).AddDays(-rng.Next(365));
        var born = birth.Year;
        string[] names = dNumber ? (male ? Names.MaleForeign : Names.FemaleForeign)
            : born < 1960 ? (male ? Names.MaleOld : Names.FemaleOld)
            : born < 1995 ? (male ? Names.MaleMid : Names.FemaleMid)
            : (male ? Names.MaleYoung : Names.FemaleYoung);
        var given = rng.Pick(names);
        string? given2 = null;
        if (!dNumber && rng.Chance(0.15) && rng.Pick(names) is var second && second != given) given2 = second;
        return new Person
        {
            Index = index,
            Id = $"pat-{index:D6}",
            Birth = birth,
            Male = male,
            Given = given,
            Given2 = given2,
            Family = family,
            Pid = NewPid(ref rng, birth, male, dNumber),
            IsDNumber = dNumber,
            Municipality = mun,
            Line = line,
            Post = post,
            Gp = gp,
            Phone = age >= 12 ? $"+47 {(rng.Chance(0.5) ? 4 : 9)}{rng.Between(0, 9999999):D7}" : null,
        };
    }

    /// <summary>A unique classic-rule FNR or D-number for the birth date; the individual number's parity follows sex.</summary>
    private string NewPid(ref Prng rng, DateOnly birth, bool male, bool dNumber)
    {
        var (from, to) = PersonNumber.IndividualRange(birth.Year);
        var span = to - from + 1;
        var start = rng.Next(span);
        for (var k = 0; k < span; k++)
        {
            var individual = from + (start + k) % span;
            if ((individual % 2 == 1) != male) continue;
            var pid = PersonNumber.Create(birth, individual, dNumber ? PersonNumberKind.DNumber : PersonNumberKind.Fnr);
            if (pid is not null && _usedPids.Add(pid)) return pid;
        }
        throw new InvalidOperationException($"No free person number for {birth}");
    }
}
