using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Tests;

public class ExpressionPrunerTests
{
    private static bool IsType(string s) => FhirDefinitions.Default.IsResourceType(s);

    [Fact]
    public void Splits_only_top_level_unions()
    {
        Assert.Equal(["A.b.where(c = 'x|y')", "(A.d | A.e)", "B.f"],
            ExpressionPruner.SplitUnion("A.b.where(c = 'x|y') | (A.d | A.e) | B.f"));
    }

    [Fact]
    public void Keeps_the_branches_of_the_type()
    {
        const string e = "AllergyIntolerance.patient | CarePlan.subject.where(resolve() is Patient) | Observation.subject.where(resolve() is Patient)";
        Assert.Equal("Observation.subject.where(resolve() is Patient)", ExpressionPruner.ForType(e, "Observation", IsType));
        Assert.Null(ExpressionPruner.ForType(e, "Patient", IsType));
        Assert.Equal("Resource.meta.tag", ExpressionPruner.ForType("Resource.meta.tag", "Patient", IsType));
        Assert.Equal("(Observation.value as Quantity)", ExpressionPruner.ForType("(Observation.value as Quantity) | (Condition.onset as Age)", "Observation", IsType));
        Assert.Equal("name.given", ExpressionPruner.ForType("name.given", "Patient", IsType)); // not a type head: kept
    }

    [Fact]
    public void Required_elements_from_path_heads()
    {
        Assert.Equal(["code", "value"], ExpressionPruner.RequiredElements("Observation.code | (Observation.value as Quantity)", "Observation")!.Order());
        Assert.Equal(["meta"], ExpressionPruner.RequiredElements("Resource.meta.tag", "Patient")!);
        Assert.Null(ExpressionPruner.RequiredElements("Patient.extension('http://x').value", "Patient"));
        Assert.Null(ExpressionPruner.RequiredElements("%resource.name", "Patient"));
    }
}
