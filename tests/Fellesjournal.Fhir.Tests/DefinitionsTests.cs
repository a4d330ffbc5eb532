using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Tests;

public class DefinitionsTests
{
    private static FhirDefinitions Defs => FhirDefinitions.Default;

    [Fact]
    public void Loads_resources_types_and_search_parameters()
    {
        Assert.Contains("Patient", Defs.ResourceTypes);
        Assert.Equal(146, Defs.ResourceTypes.Count());
        Assert.True(Defs.IsPrimitiveType("dateTime"));
        Assert.Equal(1375, Defs.SearchParameters.Count);
        var birthdate = Defs.GetSearchParameter("Patient", "birthdate")!;
        Assert.Equal("date", birthdate.Type);
        Assert.Contains("Patient.birthDate", birthdate.Expression);
        Assert.NotNull(Defs.GetSearchParameter("Patient", "_id"));
        var composite = Defs.GetSearchParameter("Observation", "code-value-quantity")!;
        Assert.Equal(2, composite.Components.Count);
    }

    [Fact]
    public void Elements_carry_cardinality_types_bindings_and_constraints()
    {
        var obs = Defs.GetStructure("Observation")!;
        var status = obs.ElementsByPath["Observation.status"];
        Assert.Equal(1, status.Min);
        Assert.Equal("required", status.Binding!.Strength);
        var value = obs.Root.Child("value")!;
        Assert.True(value.IsChoice);
        Assert.Contains(value.Types, t => t.Code == "Quantity");
        var cr = obs.ElementsByPath["Observation.component.referenceRange"];
        Assert.Same(obs.ElementsByPath["Observation.referenceRange"], cr.ContentReferenceTarget);
        Assert.Contains(obs.Root.Constraints, c => c.Key == "dom-3");
        Assert.NotNull(Defs.GetStructure("dateTime")!.PrimitiveRegex);
    }

    [Fact]
    public void Resolves_choice_names_and_patient_compartment()
    {
        var obs = Defs.GetStructure("Observation")!;
        var r = Defs.ResolveChild(obs.Root, "Observation", "valueQuantity")!;
        Assert.Equal("Quantity", r.TypeName);
        Assert.Equal("value", r.Definition.Name);
        Assert.Null(Defs.ResolveChild(obs.Root, "Observation", "valueFoo"));
        Assert.Contains("subject", Defs.PatientCompartment["Observation"]);
    }

    [Fact]
    public void Engine_is_ready_fast_from_the_compact_form()
    {
        var again = FhirDefinitions.Load(Defs.PackageDirectory);
        Assert.True(again.LoadedFromCache);
        Assert.Equal(Defs.ResourceTypes.Count(), again.ResourceTypes.Count());
    }
}
