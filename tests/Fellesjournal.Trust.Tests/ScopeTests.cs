using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

public class ScopeTests
{
    [Theory]
    [InlineData("patient/Observation.rs", ScopeContext.Patient, "Observation", Interaction.Read | Interaction.Search)]
    [InlineData("user/*.cruds", ScopeContext.User, "*", Interaction.All)]
    [InlineData("system/Patient.r", ScopeContext.System, "Patient", Interaction.Read)]
    [InlineData("user/Observation.cud", ScopeContext.User, "Observation", Interaction.Create | Interaction.Update | Interaction.Delete)]
    [InlineData("patient/*.read", ScopeContext.Patient, "*", Interaction.Read | Interaction.Search)]
    [InlineData("user/MedicationRequest.write", ScopeContext.User, "MedicationRequest", Interaction.Create | Interaction.Update | Interaction.Delete)]
    [InlineData("system/*.*", ScopeContext.System, "*", Interaction.All)]
    public void Parses_v1_and_v2_scopes(string text, ScopeContext ctx, string type, Interaction perms)
    {
        var s = SmartScope.TryParse(text);
        Assert.NotNull(s);
        Assert.Equal(ctx, s.Context);
        Assert.Equal(type, s.ResourceType);
        Assert.Equal(perms, s.Interactions);
        Assert.Empty(s.Restrictions);
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("fhirUser")]
    [InlineData("launch/patient")]
    [InlineData("patient/Observation.sr")]   // v2 letters out of order
    [InlineData("patient/Observation.rr")]   // repeated letter
    [InlineData("patient/Observation.x")]
    [InlineData("clinic/Observation.rs")]
    [InlineData("patient/observation.rs")]   // not a type name
    [InlineData("patient/Observation")]
    [InlineData("patient/Observation.rs?category")] // restriction without value
    public void Rejects_non_clinical_and_malformed(string text) => Assert.Null(SmartScope.TryParse(text));

    [Fact]
    public void Parses_search_parameter_restrictions()
    {
        var s = SmartScope.TryParse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category%7Claboratory&status=final")!;
        Assert.Equal(2, s.Restrictions.Count);
        Assert.Equal("category", s.Restrictions[0].Key);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/observation-category|laboratory", s.Restrictions[0].Value);
        Assert.Equal(new KeyValuePair<string, string>("status", "final"), s.Restrictions[1]);
    }

    public static TheoryData<string, string, Interaction, ScopeContext?, bool> AllowMatrix => new()
    {
        { "patient/Observation.rs", "Observation", Interaction.Read, null, true },
        { "patient/Observation.rs", "Observation", Interaction.Search, null, true },
        { "patient/Observation.rs", "Observation", Interaction.Create, null, false },
        { "patient/Observation.rs", "Observation", Interaction.Update, null, false },
        { "patient/Observation.rs", "Observation", Interaction.Delete, null, false },
        { "patient/Observation.rs", "Condition", Interaction.Read, null, false },
        { "patient/Observation.rs", "Observation", Interaction.Read, ScopeContext.User, false },
        { "user/*.cruds", "Condition", Interaction.Delete, ScopeContext.User, true },
        { "user/*.cruds", "Condition", Interaction.Delete, ScopeContext.System, false },
        { "system/Patient.r", "Patient", Interaction.Read, ScopeContext.System, true },
        { "system/Patient.r", "Patient", Interaction.Search, ScopeContext.System, false },
        { "patient/*.read", "AllergyIntolerance", Interaction.Search, null, true },
        { "patient/*.read", "AllergyIntolerance", Interaction.Update, null, false },
        { "user/Observation.write", "Observation", Interaction.Create, null, true },
        { "user/Observation.write", "Observation", Interaction.Read, null, false },
        { "openid fhirUser", "Patient", Interaction.Read, null, false },
        { "patient/Patient.r patient/Observation.s", "Observation", Interaction.Search, null, true },
        { "patient/Patient.r patient/Observation.s", "Observation", Interaction.Read, null, false },
        { "", "Patient", Interaction.Read, null, false },
    };

    [Theory]
    [MemberData(nameof(AllowMatrix))]
    public void Allow_matrix(string scopes, string type, Interaction interaction, ScopeContext? ctx, bool expected) =>
        Assert.Equal(expected, ScopeSet.Parse(scopes).Allows(type, interaction, ctx));

    [Fact]
    public void Unrestricted_scope_wins_over_restricted_and_restricted_ones_are_alternatives()
    {
        var restricted = ScopeSet.Parse("patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs");
        var g = restricted.Grant("Observation", Interaction.Search);
        Assert.True(g.Allowed);
        Assert.Equal(2, g.Restrictions!.Count);
        Assert.Equal("vital-signs", g.Restrictions[1][0].Value);

        var mixed = ScopeSet.Parse("patient/Observation.rs?category=laboratory patient/Observation.r");
        var search = mixed.Grant("Observation", Interaction.Search).Restrictions!; // .r does not cover search
        Assert.Equal("laboratory", Assert.Single(search)[0].Value);
        Assert.Null(mixed.Grant("Observation", Interaction.Read).Restrictions);              // .r is unrestricted for read
        Assert.False(mixed.Grant("Condition", Interaction.Read).Allowed);
    }

    [Fact]
    public void Keeps_non_clinical_scopes_apart()
    {
        var s = ScopeSet.Parse("openid profile patient/*.rs offline_access");
        Assert.Single(s.Clinical);
        Assert.Equal(["openid", "profile", "offline_access"], s.Other);
    }
}
