using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fellesjournal.Fhir.Norway;
using Fellesjournal.Fhir.Validation;
using Xunit.Abstractions;

namespace Fellesjournal.Synthetic.Tests;

public class GeneratorTests(ITestOutputHelper output)
{
    private static string Hash(ulong seed, int patients)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (type, id, json) in new PopulationGenerator(seed, patients).Generate())
        {
            sha.AppendData(Encoding.UTF8.GetBytes(type + "/" + id + "\n"));
            sha.AppendData(json);
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    [Fact]
    public void Same_seed_gives_same_bytes_different_seed_differs()
    {
        var a = Hash(11, 40);
        Assert.Equal(a, Hash(11, 40));
        Assert.NotEqual(a, Hash(12, 40));
    }

    [Fact]
    public void Push_and_pull_apis_give_the_same_resources()
    {
        var pulled = Population.Fifty;
        var sink = new CollectingSink();
        new PopulationGenerator(42, 50).WriteTo(sink);
        Assert.Equal(pulled.Count, sink.Items.Count);
        for (var i = 0; i < pulled.Count; i++)
        {
            Assert.Equal(pulled[i].Id, sink.Items[i].Id);
            Assert.Equal(pulled[i].Json, sink.Items[i].Json);
        }
    }

    private sealed class CollectingSink : IResourceSink
    {
        public List<(string Type, string Id, byte[] Json)> Items { get; } = [];
        public void Add(string resourceType, string id, ReadOnlySpan<byte> json) => Items.Add((resourceType, id, json.ToArray()));
    }

    [Fact]
    public void Every_resource_passes_the_validator()
    {
        var validator = FhirValidator.Default;
        var failures = new List<string>();
        foreach (var (type, id, json) in Population.Fifty)
        {
            var outcome = validator.Validate(json);
            if (outcome.Success) continue;
            var first = outcome.Issues.First(i => i.Severity is Fhir.Model.IssueSeverity.Error or Fhir.Model.IssueSeverity.Fatal);
            failures.Add($"{type}/{id}: {first.Location}: {first.Diagnostics}");
        }
        foreach (var f in failures.Take(20)) output.WriteLine(f);
        // The validator is engaged: a generated Encounter with a status outside its required value set fails.
        var encounter = Encoding.UTF8.GetString(Population.Fifty.First(r => r.Type == "Encounter").Json).Replace("\"finished\"", "\"done\"");
        Assert.False(validator.Validate(encounter).Success);
        Assert.True(failures.Count == 0, $"{failures.Count} invalid resources; first: {string.Join(" | ", failures.Take(5))}");
    }

    [Fact]
    public void Ids_are_unique_and_references_resolve()
    {
        var all = Population.SixHundred;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, id, _) in all) Assert.True(keys.Add(type + "/" + id), $"duplicate {type}/{id}");
        var dangling = new List<string>();
        foreach (var (type, id, json) in all)
        {
            foreach (var r in References(Population.Parse(json)))
                if (!keys.Contains(r)) dangling.Add($"{type}/{id} → {r}");
        }
        Assert.True(dangling.Count == 0, string.Join("; ", dangling.Take(5)));
    }

    private static IEnumerable<string> References(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name == "reference" && p.Value.ValueKind == JsonValueKind.String) yield return p.Value.GetString()!;
                else foreach (var r in References(p.Value)) yield return r;
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray()) foreach (var r in References(item)) yield return r;
        }
    }

    [Fact]
    public void Person_numbers_are_valid_unique_and_match_the_birth_date()
    {
        var seen = new HashSet<string>();
        var dNumbers = 0;
        var patients = Population.SixHundred.Where(r => r.Type == "Patient").Select(r => Population.Parse(r.Json)).ToList();
        Assert.Equal(600, patients.Count);
        foreach (var p in patients)
        {
            var ident = p.GetProperty("identifier")[0];
            var system = ident.GetProperty("system").GetString();
            var value = ident.GetProperty("value").GetString()!;
            Assert.True(seen.Add(value), "duplicate " + value);
            var kind = PersonNumber.Classify(value, allow2032Rule: false);
            Assert.Equal(system == IdentifierSystems.DNumber ? PersonNumberKind.DNumber : PersonNumberKind.Fnr, kind);
            if (kind == PersonNumberKind.DNumber) dNumbers++;
            var birth = DateOnly.Parse(p.GetProperty("birthDate").GetString()!);
            var day = int.Parse(value[..2]) - (kind == PersonNumberKind.DNumber ? 40 : 0);
            Assert.Equal(birth.Day, day);
            Assert.Equal(birth.Month, int.Parse(value[2..4]));
            Assert.Equal(birth.Year % 100, int.Parse(value[4..6]));
            var (from, to) = PersonNumber.IndividualRange(birth.Year);
            Assert.InRange(int.Parse(value[6..9]), from, to);
        }
        Assert.InRange(dNumbers, 1, 40);
    }

    [Fact]
    public void Family_links_are_consistent()
    {
        var all = Population.SixHundred;
        var byPid = new Dictionary<string, JsonElement>();
        foreach (var r in all.Where(r => r.Type == "Patient"))
        {
            var p = Population.Parse(r.Json);
            byPid[p.GetProperty("identifier")[0].GetProperty("value").GetString()!] = p;
        }
        var patients = all.Where(r => r.Type == "Patient").ToDictionary(r => r.Id, r => Population.Parse(r.Json));
        var links = 0;
        var childrenUnder12WithParent = new HashSet<string>();
        foreach (var r in all.Where(r => r.Type == "RelatedPerson"))
        {
            var rp = Population.Parse(r.Json);
            var childId = rp.GetProperty("patient").GetProperty("reference").GetString()!["Patient/".Length..];
            var child = patients[childId];
            var parentPid = rp.GetProperty("identifier")[0].GetProperty("value").GetString()!;
            Assert.True(byPid.TryGetValue(parentPid, out var parent), $"parent {parentPid} of {childId} is not in the population");
            var childBirth = DateOnly.Parse(child.GetProperty("birthDate").GetString()!);
            var parentBirth = DateOnly.Parse(parent.GetProperty("birthDate").GetString()!);
            Assert.True(parentBirth.AddYears(16) <= childBirth, $"parent born {parentBirth}, child {childBirth}");
            Assert.Equal(parent.GetProperty("birthDate").GetString(), rp.GetProperty("birthDate").GetString());
            var code = rp.GetProperty("relationship")[0].GetProperty("coding")[0].GetProperty("code").GetString();
            Assert.Equal(code == "MTH" ? "female" : "male", parent.GetProperty("gender").GetString());
            if (childBirth > PopulationGenerator.Today.AddYears(-12)) childrenUnder12WithParent.Add(childId);
            links++;
        }
        Assert.True(links > 20, $"only {links} parent links");
        Assert.True(childrenUnder12WithParent.Count > 10, $"only {childrenUnder12WithParent.Count} children under 12 with a parent");
    }

    [Fact]
    public void Adults_have_at_least_100_resources_on_average()
    {
        var all = Population.SixHundred;
        var adults = all.Where(r => r.Type == "Patient")
            .Where(r => DateOnly.Parse(Population.Parse(r.Json).GetProperty("birthDate").GetString()!) <= PopulationGenerator.Today.AddYears(-18))
            .Select(r => r.Id["pat-".Length..]).ToHashSet();
        long perAdult = 0;
        foreach (var (type, id, _) in all)
        {
            // Person-level ids are prefix-NNNNNN-k (or pat-NNNNNN, ct-NNNNNN): the middle part is the patient number.
            var parts = id.Split('-');
            if (parts.Length >= 2 && parts[1].Length == 6 && adults.Contains(parts[1])) perAdult++;
        }
        var average = perAdult / (double)adults.Count;
        output.WriteLine($"{adults.Count} adults, {average:N1} resources per adult");
        Assert.True(average >= 100, $"average {average:N1}");
        Assert.True(average <= 300, $"average {average:N1}");
    }

    [Fact]
    public void Resource_mix_includes_every_required_type()
    {
        var types = Population.SixHundred.Select(r => r.Type).ToHashSet();
        string[] required = ["Patient", "RelatedPerson", "Organization", "Practitioner", "PractitionerRole", "CareTeam", "Condition",
            "AllergyIntolerance", "Immunization", "Encounter", "Composition", "DocumentReference", "Observation", "Medication",
            "MedicationRequest", "MedicationDispense"];
        foreach (var t in required) Assert.Contains(t, types);
        var allergies = Population.SixHundred.Where(r => r.Type == "AllergyIntolerance").Select(r => Population.Parse(r.Json)).ToList();
        Assert.Contains(allergies, a => a.GetProperty("criticality").GetString() == "high");
        var orgs = Population.SixHundred.Where(r => r.Type == "Organization").Select(r => Population.Parse(r.Json)).ToList();
        Assert.Contains(orgs, o => o.TryGetProperty("partOf", out _));
        foreach (var o in orgs.Where(o => o.GetProperty("identifier")[0].GetProperty("system").GetString() == IdentifierSystems.OrgNumber))
            Assert.True(OrganisationNumber.IsValid(o.GetProperty("identifier")[0].GetProperty("value").GetString()));
    }
}

public class ParallelTests
{
    [Fact]
    public void Parallel_writing_gives_the_sequential_stream()
    {
        var sequential = new PopulationGenerator(5, 120).Generate().ToList();
        var sink = new Sink();
        new PopulationGenerator(5, 120).WriteToParallel(sink, 3);
        Assert.Equal(sequential.Count, sink.Items.Count);
        for (var i = 0; i < sequential.Count; i++)
        {
            Assert.Equal(sequential[i].Type + "/" + sequential[i].Id, sink.Items[i].Key);
            Assert.Equal(sequential[i].Json, sink.Items[i].Json);
        }
    }

    private sealed class Sink : IResourceSink
    {
        public List<(string Key, byte[] Json)> Items { get; } = [];
        public void Add(string resourceType, string id, ReadOnlySpan<byte> json) => Items.Add((resourceType + "/" + id, json.ToArray()));
    }
}
