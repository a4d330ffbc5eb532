using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>The result of children()/descendants(): the spec leaves its order undefined.</summary>
internal sealed class UnorderedList(IEnumerable<object> items) : List<object>(items);

/// <summary>The result of 'as T' in strict mode: keeps the static type so that navigation on it can be checked even when empty.</summary>
internal sealed class TypedList(IEnumerable<object> items, string fhirType) : List<object>(items)
{
    public string FhirType { get; } = fhirType;
}

/// <summary>Evaluation state: $this/$index/$total of the current iteration plus the environment variables.</summary>
internal sealed class Context
{
    public required List<object> This { get; init; }
    public int? Index { get; init; }
    public List<object>? Total { get; init; }
    public required ElementNode Root { get; init; }
    public EvaluationEnvironment? Env { get; init; }
    public bool Strict { get; init; }
    public bool CheckOrdered => Env?.CheckOrderedFunctions == true;

    /// <summary>Rejects an ordered operation on an unordered collection when the environment asks for it.</summary>
    public void RequireOrdered(List<object> focus, string operation, int position)
    {
        if (focus is UnorderedList && CheckOrdered)
            throw new FhirPathException($"{operation} needs an ordered collection; children()/descendants() are unordered", position);
    }

    /// <summary>A child context iterating over one item.</summary>
    public Context With(object item, int index, List<object>? total = null) => new()
    {
        This = [item], Index = index, Total = total ?? Total, Root = Root, Env = Env, Strict = Strict,
    };

    public Context WithThis(List<object> items) => new()
    {
        This = items, Index = Index, Total = Total, Root = Root, Env = Env, Strict = Strict,
    };

    public ElementNode? Resource => Env?.Resource ?? Root.Resource ?? RootOf(Root);

    public ElementNode? RootResource
    {
        get
        {
            if (Env?.RootResource is { } r) return r;
            // the outermost resource: a contained resource's container (Bundle entries are their own root)
            var res = Root.Resource;
            for (var n = res?.Parent; n is not null; n = n.Parent)
            {
                if (!n.IsResource) continue;
                if (n.TypeName == "Bundle") break;
                res = n;
            }
            return res ?? RootOf(Root);
        }
    }

    private static ElementNode RootOf(ElementNode n)
    {
        while (n.Parent is not null) n = n.Parent;
        return n;
    }

    public List<object> ResolveVariable(string name, int position)
    {
        if (Env is not null && Env.Variables.TryGetValue(name, out var v)) return [.. v];
        switch (name)
        {
            case "context": return [Root];
            case "resource": return Resource is { } r ? [r] : [];
            case "rootResource": return RootResource is { } rr ? [rr] : [];
            case "ucum": return ["http://unitsofmeasure.org"];
            case "sct": return ["http://snomed.info/sct"];
            case "loinc": return ["http://loinc.org"];
        }
        if (name.StartsWith("vs-", StringComparison.Ordinal)) return ["http://hl7.org/fhir/ValueSet/" + name[3..]];
        if (name.StartsWith("ext-", StringComparison.Ordinal)) return ["http://hl7.org/fhir/StructureDefinition/" + name[4..]];
        throw new FhirPathException($"Unknown variable '%{name}'", position);
    }
}
