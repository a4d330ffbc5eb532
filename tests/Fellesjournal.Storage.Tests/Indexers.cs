using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Tests;

/// <summary>
/// A hand-written indexer for a few parameters (plain child navigation, no FHIRPath) so the SQL side of
/// search is tested independently of the FHIRPath engine; the conversion of nodes is the real one.
/// </summary>
public sealed class NavigationIndexer : ISearchIndexer
{
    public FhirDefinitions Definitions => FhirDefinitions.Default;

    private static IEnumerable<ElementNode> Path(ElementNode n, params string[] steps)
    {
        IEnumerable<ElementNode> cur = [n];
        foreach (var s in steps) cur = cur.SelectMany(c => c.Children(s));
        return cur;
    }

    private static readonly Dictionary<string, (string Code, string Type, Func<ElementNode, IEnumerable<ElementNode>> Select)[]> Params = new()
    {
        ["Patient"] =
        [
            ("name", "string", r => Path(r, "name")),
            ("family", "string", r => Path(r, "name", "family")),
            ("identifier", "token", r => Path(r, "identifier")),
            ("gender", "token", r => Path(r, "gender")),
            ("active", "token", r => Path(r, "active")),
            ("birthdate", "date", r => Path(r, "birthDate")),
            ("general-practitioner", "reference", r => Path(r, "generalPractitioner")),
        ],
        ["Observation"] =
        [
            ("code", "token", r => Path(r, "code")),
            ("subject", "reference", r => Path(r, "subject")),
            ("patient", "reference", r => Path(r, "subject").Where(s => s.Child("reference")?.Text?.StartsWith("Patient/") == true)),
            ("value-quantity", "quantity", r => Path(r, "value").Where(v => v.TypeName == "Quantity")),
            ("date", "date", r => Path(r, "effective")),
        ],
        ["RiskAssessment"] = [("probability", "number", r => Path(r, "prediction", "probability"))],
        ["ValueSet"] = [("url", "uri", r => Path(r, "url"))],
    };

    public ResourceIndex Extract(ElementNode resource, string? id = null)
    {
        var values = new List<IndexValue>();
        if (Params.TryGetValue(resource.TypeName!, out var ps))
            foreach (var (code, type, select) in ps)
                foreach (var n in select(resource))
                    SearchIndexer.Convert(code, type, n, values, Definitions);
        var patient = resource.TypeName == "Patient" ? id
            : values.OfType<ReferenceIndexValue>().FirstOrDefault(r => r.Param == "subject" && r.TargetType == "Patient")?.TargetId;
        return new ResourceIndex(values, patient);
    }
}

public static class Indexers
{
    /// <summary>True once the FHIRPath engine is merged (the stub throws NotImplementedException).</summary>
    public static bool FhirPathAvailable
    {
        get
        {
            try { FhirPathEngine.Compile("Patient.name"); return true; }
            catch (NotImplementedException) { return false; }
        }
    }

    public static ISearchIndexer Create(string kind) => kind switch
    {
        "navigation" => new NavigationIndexer(),
        "fhirpath" => new SearchIndexer(FhirDefinitions.Default),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>Test data: the navigation indexer always, the FHIRPath indexer when the engine is there.</summary>
    public static TheoryData<string> Kinds()
    {
        var d = new TheoryData<string> { "navigation" };
        if (FhirPathAvailable) d.Add("fhirpath");
        return d;
    }
}
