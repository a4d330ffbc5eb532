using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Storage.Postgres;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>Which PostgreSQL searches run on generic plans: those whose best plan does not depend on their values.</summary>
public class GenericPlanChoiceTests
{
    private static bool Fits(string? type, string key, CompartmentAccess? access = null)
    {
        var colon = key.IndexOf(':');
        var dot = key.IndexOf('.');
        // The modifier starts at the first colon before any chain dot (subject:Patient.identifier keeps its chain in Key).
        var criterion = colon > 0 && (dot < 0 || colon < dot)
            ? new SearchCriterion(key[..colon], key[(colon + 1)..], ["x"])
            : new SearchCriterion(key, null, ["x"]);
        return GenericPlanChoice.Fits(new SearchQuery(type, [criterion], Access: access), FhirDefinitions.Default);
    }

    [Theory]
    [InlineData("Patient", "identifier")]
    [InlineData("Observation", "subject")]
    [InlineData("Observation", "code")]
    [InlineData("Encounter", "date")]
    [InlineData("Observation", "subject.identifier")]
    [InlineData("Observation", "subject:Patient.identifier")]
    [InlineData("Observation", "subject._id")]
    [InlineData("Encounter", "service-provider.identifier")]
    public void Value_independent_searches_use_generic_plans(string type, string key) => Assert.True(Fits(type, key));

    [Theory]
    [InlineData("Patient", "family")]
    [InlineData("Patient", "name")]
    [InlineData("Observation", "subject.name")]
    [InlineData("Observation", "subject:Patient.family")]
    [InlineData("Observation", "subject.birthdate")]
    [InlineData("Observation", "subject.organization.name")]
    [InlineData("Observation", "subject.identifier:text")]
    [InlineData("Patient", "_has:Observation:subject:code")]
    [InlineData("Observation", "_text")]
    [InlineData(null, "_id")]
    public void Value_dependent_searches_keep_custom_plans(string? type, string key) => Assert.False(Fits(type, key));

    [Fact]
    public void A_compartment_list_keeps_custom_plans_and_one_compartment_does_not()
    {
        Assert.False(Fits("Observation", "code", new CompartmentAccess(false, ["p1", "p2"])));
        Assert.True(Fits("Observation", "code", new CompartmentAccess(false, ["p1", "p1"])));
        Assert.True(Fits("Observation", "code", CompartmentAccess.Everyone));
        var locked = new CompartmentAccess(false, ["p1"]) { Hidden = [new HiddenSection("p1", "Condition")] };
        Assert.False(Fits("Observation", "code", locked));
    }

    [Fact]
    public void The_summary_read_over_several_types_of_one_patient_uses_generic_plans()
    {
        var one = new CompartmentAccess(false, ["p1"]) { IncludeShared = false };
        Assert.True(GenericPlanChoice.Fits(new SearchQuery(null, [], Access: one, Types: ["Condition", "AllergyIntolerance"]), FhirDefinitions.Default));
        Assert.False(GenericPlanChoice.Fits(new SearchQuery(null, [new SearchCriterion("_id", null, ["x"])], Access: one,
            Types: ["Condition", "AllergyIntolerance"]), FhirDefinitions.Default));
        Assert.False(GenericPlanChoice.Fits(new SearchQuery(null, [], Access: one), FhirDefinitions.Default));
    }
}
