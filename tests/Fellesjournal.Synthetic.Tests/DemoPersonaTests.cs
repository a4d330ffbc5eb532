using System.Text.Json;
using Xunit.Abstractions;

namespace Fellesjournal.Synthetic.Tests;

public class DemoPersonaTests(ITestOutputHelper output)
{
    [Fact]
    public void Personas_reference_generated_resources()
    {
        const ulong seed = 42;
        var resources = new PopulationGenerator(seed, 200).Generate().ToDictionary(r => r.Type + "/" + r.Id, r => r.Json);
        var personas = DemoPersonas.For(seed, 200);
        foreach (var p in personas) output.WriteLine($"{p.Key}: {p.Name} {p.Reference} pid={p.Pid} hpr={p.Hpr} role={p.RoleReference}");
        string[] keys = ["citizen", "elderly", "parent", "child", "teen", "gp", "hospital-doctor", "nurse", "pharmacist"];
        Assert.Equal(keys, personas.Select(p => p.Key));
        foreach (var p in personas)
        {
            Assert.True(resources.ContainsKey(p.Reference), p.Reference);
            if (p.RoleReference is not null) Assert.True(resources.ContainsKey(p.RoleReference), p.RoleReference);
            if (p.OrganizationReference is not null) Assert.True(resources.ContainsKey(p.OrganizationReference), p.OrganizationReference);
            foreach (var r in p.Related ?? []) Assert.True(resources.ContainsKey(r), r);
            var json = JsonDocument.Parse(resources[p.Reference]).RootElement;
            var identifier = json.GetProperty("identifier")[0].GetProperty("value").GetString();
            Assert.Equal(p.Pid ?? p.Hpr, identifier);
        }
        var child = JsonDocument.Parse(resources[personas.Single(p => p.Key == "child").Reference]).RootElement;
        Assert.True(DateOnly.Parse(child.GetProperty("birthDate").GetString()!) > PopulationGenerator.Today.AddYears(-12));
        // The child's RelatedPerson carries the parent's FNR.
        var rp = JsonDocument.Parse(resources[personas.Single(p => p.Key == "child").Related![0]]).RootElement;
        Assert.Equal(personas.Single(p => p.Key == "parent").Pid, rp.GetProperty("identifier")[0].GetProperty("value").GetString());
    }
}
