using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>
/// Extra token rows for modifiers that search something other than the parameter's own value:
/// <c>identifier:of-type</c> (one row per Identifier.type coding, code = "typeCode|value", system = the type's system)
/// under "param:of-type", and reference <c>:identifier</c> (Reference.identifier as a token) under "param:identifier".
/// The suffixed names never collide with parameter codes, so other searches never see these rows.
/// </summary>
public static class ModifierIndexValues
{
    public static void Add(string param, string spType, IReadOnlyList<object> items, List<IndexValue> output)
    {
        if (spType is not ("token" or "reference")) return;
        foreach (var item in items)
        {
            if (item is not ElementNode n) continue;
            if (n.TypeName == "Identifier" && n.Child("value")?.Text is { Length: > 0 } value && n.Child("type") is { } type)
            {
                foreach (var coding in type.Children("coding"))
                    if (coding.Child("code")?.Text is { Length: > 0 } code)
                        output.Add(new TokenIndexValue(param + ":of-type", coding.Child("system")?.Text, code + "|" + value));
            }
            else if (n.TypeName == "Reference" && n.Child("identifier") is { } id &&
                     id.Child("value")?.Text is { Length: > 0 } idValue)
            {
                output.Add(new TokenIndexValue(param + ":identifier", id.Child("system")?.Text, idValue));
            }
        }
    }
}
