using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Norway;
using Fellesjournal.Server.Validation;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Server.Tests;

/// <summary>Invalid Norwegian national identifiers in writes: 422 naming the element; valid ones (both check-digit rules) pass.</summary>
public class IdentifierValidationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();
    private static readonly NorwegianIdentifierValidator Validator = new();

    /// <summary>A valid number for the leading digits under the given k1 variant (0 = classic, 1-3 = 2032 rule).</summary>
    private static string Person(string first6, int variant = 0)
    {
        for (var i = 100; i < 1000; i++)
            if (PersonNumber.WithCheckDigits(first6 + i, variant) is { } n) return n;
        throw new InvalidOperationException("no number");
    }

    private static string Broken(string valid) => valid[..^1] + (char)('0' + (valid[^1] - '0' + 1) % 10);

    private static readonly string Fnr = Person("150385");
    private static readonly string Fnr2032 = Person("150385", 2);
    private static readonly string DNumber = Person("550385");   // day + 40
    private static readonly string HNumber = Person("154385");   // month + 40
    private static readonly string OrgNr = OrganisationNumber.Create("98371001")!;

    private static string FhNumber()
    {
        for (var i = 0; i < 1000; i++)
            if (PersonNumber.WithCheckDigits("8" + (12345000 + i)) is { } n) return n;
        throw new InvalidOperationException("no number");
    }

    private static JsonObject Resource(string type, params (string System, string Value)[] ids)
    {
        var r = new JsonObject { ["resourceType"] = type };
        r["identifier"] = new JsonArray(ids.Select(i => (JsonNode)new JsonObject { ["system"] = i.System, ["value"] = i.Value }).ToArray());
        if (type == "RelatedPerson") r["patient"] = new JsonObject { ["reference"] = "Patient/x" };
        return r;
    }

    private static List<string?> Locations(JsonObject resource) =>
        Validator.Validate(resource, default).Outcome.Issues.Select(i => i.Location).ToList();

    [Fact]
    public void Rule_2032_numbers_are_really_2032_numbers()
    {
        Assert.Equal(CheckDigitRule.Classic, PersonNumber.CheckDigits(Fnr));
        Assert.Equal(CheckDigitRule.Rule2032, PersonNumber.CheckDigits(Fnr2032));
    }

    [Fact]
    public void Valid_numbers_under_both_rules_pass()
    {
        var r = Resource("Patient", (IdentifierSystems.Fnr, Fnr), (IdentifierSystems.Fnr, Fnr2032), (IdentifierSystems.DNumber, DNumber),
            (IdentifierSystems.Fhn, FhNumber()), (IdentifierSystems.Duf, "201912345678"), (IdentifierSystems.Hpr, "412345678"),
            ("urn:oid:9.9.9", "anything goes in other systems"));
        Assert.Empty(Locations(r));
        Assert.Empty(Locations(Resource("Organization", (IdentifierSystems.OrgNumber, OrgNr))));
    }

    [Theory]
    [InlineData("Patient")]
    [InlineData("Practitioner")]
    [InlineData("RelatedPerson")]
    public void Invalid_person_numbers_are_named_by_element(string type)
    {
        var r = Resource(type, ("urn:oid:9.9.9", "x"), (IdentifierSystems.Fnr, Broken(Fnr)), (IdentifierSystems.Fnr, Fnr2032),
            (IdentifierSystems.DNumber, Fnr), (IdentifierSystems.Fnr, HNumber), (IdentifierSystems.Fhn, Fnr), (IdentifierSystems.Duf, "12345"),
            (IdentifierSystems.Hpr, "0123"));
        var result = Validator.Validate(r, default);
        Assert.False(result.Success);
        Assert.False(result.IsStructural); // a rule violation: 422, not 400
        Assert.Equal([1, 3, 4, 5, 6, 7], result.Outcome.Issues.Select(i => int.Parse(i.Location!.Split('[', ']')[1])));
        Assert.All(result.Outcome.Issues, i => Assert.Matches($@"^{type}\.identifier\[\d\]\.value$", i.Location));
        Assert.Contains("is a fødselsnummer, not a D-number", result.Outcome.Issues[1].Diagnostics);
        Assert.Contains("H-number", result.Outcome.Issues[2].Diagnostics);
    }

    [Fact]
    public void Invalid_organisation_number_and_untouched_types()
    {
        Assert.Equal(["Organization.identifier[0].value"], Locations(Resource("Organization", (IdentifierSystems.OrgNumber, Broken(OrgNr)))));
        // Only the four identity-bearing types are checked here.
        Assert.Empty(Locations(Resource("Device", (IdentifierSystems.Fnr, Broken(Fnr)))));
    }

    [Fact]
    public void Synthetic_population_identifiers_are_valid()
    {
        var checkedCount = 0;
        foreach (var (type, _, json) in new PopulationGenerator(42, 60).Generate())
        {
            if (type is not ("Patient" or "Practitioner" or "Organization" or "RelatedPerson")) continue;
            var resource = JsonNode.Parse(json)!.AsObject();
            var result = Validator.Validate(resource, json);
            Assert.True(result.Success, $"{type}: {string.Join("; ", result.Outcome.Issues.Select(i => i.Diagnostics))}");
            checkedCount++;
        }
        Assert.True(checkedCount > 60);
    }

    [Fact]
    public async Task Create_with_invalid_fnr_is_422_naming_the_element()
    {
        var p = Fhir.Patient();
        p["identifier"] = new JsonArray(new JsonObject { ["system"] = IdentifierSystems.Fnr, ["value"] = Fnr2032 },
            new JsonObject { ["system"] = IdentifierSystems.Fnr, ["value"] = Broken(Fnr) });
        var r = await _c.PostAsync("/fhir/Patient", Fhir.Json(p));
        var oo = await Fhir.AssertOutcome(r, 422);
        var issue = Assert.Single(oo["issue"]!.AsArray());
        Assert.Equal("Patient.identifier[1].value", (string?)issue!["expression"]![0]);
        Assert.Equal("Patient.identifier[1].value", (string?)issue["location"]![0]);
        Assert.Contains(Broken(Fnr), (string?)issue["diagnostics"]);

        // The same patient with only valid numbers (one under the 2032 rule) is created, and an update is checked too.
        p["identifier"]!.AsArray().RemoveAt(1);
        var created = await Fhir.Create(_c, p);
        created["identifier"]!.AsArray().Add(new JsonObject { ["system"] = IdentifierSystems.DNumber, ["value"] = Broken(DNumber) });
        r = await _c.PutAsync($"/fhir/Patient/{created["id"]}", Fhir.Json(created));
        oo = await Fhir.AssertOutcome(r, 422);
        Assert.Equal("Patient.identifier[1].value", (string?)oo["issue"]![0]!["expression"]![0]);
    }

    [Fact]
    public async Task Transaction_entry_with_invalid_org_number_fails_the_transaction()
    {
        var org = Resource("Organization", (IdentifierSystems.OrgNumber, OrgNr));
        var bad = Resource("Organization", (IdentifierSystems.OrgNumber, Broken(OrgNr)));
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray(
                new JsonObject { ["resource"] = org, ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Organization" } },
                new JsonObject { ["resource"] = bad, ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Organization" } }),
        };
        var r = await _c.PostAsync("/fhir", Fhir.Json(bundle));
        var oo = await Fhir.AssertOutcome(r, 422);
        var expression = (string?)oo["issue"]![0]!["expression"]![0];
        Assert.StartsWith("Bundle.entry[1]", expression);
        Assert.EndsWith("Organization.identifier[0].value", expression);
    }
}
