namespace Fellesjournal.Fhir.Search;

/// <summary>
/// Shared search parameters carry one expression for many types (<c>AllergyIntolerance.patient |
/// CarePlan.subject.where(resolve() is Patient) | ...</c>, up to dozens of branches). Evaluating every branch
/// against every resource dominated extraction time, so the indexer compiles, per resource type, only the
/// top-level union branches that can apply to it: those starting with the type itself, with Resource or
/// DomainResource, or with something that is not a resource type name.
/// </summary>
public static class ExpressionPruner
{
    /// <summary>The expression restricted to <paramref name="resourceType"/>, or null when no branch applies.</summary>
    public static string? ForType(string expression, string resourceType, Func<string, bool> isResourceType)
    {
        var branches = SplitUnion(expression);
        if (branches.Count == 1 && !Excludes(branches[0], resourceType, isResourceType)) return expression;
        var kept = branches.Where(b => !Excludes(b, resourceType, isResourceType)).ToList();
        return kept.Count == 0 ? null : kept.Count == branches.Count ? expression : string.Join(" | ", kept);
    }

    private static bool Excludes(string branch, string type, Func<string, bool> isResourceType)
    {
        var head = LeadingIdentifier(branch);
        return head is not null && head != type && head is not ("Resource" or "DomainResource") && isResourceType(head);
    }

    /// <summary>The first identifier of a branch, skipping opening parentheses; null if it starts otherwise.</summary>
    private static string? LeadingIdentifier(string branch)
    {
        var i = 0;
        while (i < branch.Length && (branch[i] == '(' || char.IsWhiteSpace(branch[i]))) i++;
        var start = i;
        while (i < branch.Length && (char.IsLetterOrDigit(branch[i]) || branch[i] == '_')) i++;
        if (i == start || !char.IsLetter(branch[start])) return null;
        // Only a path head counts ("Patient.name", "Patient"); "Patient(" would be a function call.
        return i == branch.Length || branch[i] is '.' or ' ' or ')' ? branch[start..i] : null;
    }

    /// <summary>Splits on '|' outside parentheses, brackets, braces, strings and delimited identifiers.</summary>
    public static List<string> SplitUnion(string expression)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            switch (c)
            {
                case '\'' or '`':
                    for (i++; i < expression.Length && expression[i] != c; i++)
                        if (expression[i] == '\\') i++;
                    break;
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case '|' when depth == 0:
                    parts.Add(expression[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }
        parts.Add(expression[start..].Trim());
        return parts;
    }

    /// <summary>
    /// The top-level elements one of which must be present for the expression to yield anything
    /// (<c>Observation.code | Observation.value.as(Quantity)</c> → code, value), or null when that cannot be
    /// told from the text (a branch not of the form <c>Type.element...</c>).
    /// </summary>
    public static IReadOnlySet<string>? RequiredElements(string expression, string resourceType)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in SplitUnion(expression))
        {
            var b = raw.TrimStart('(', ' ');
            string? rest = null;
            foreach (var head in new[] { resourceType, "Resource", "DomainResource" })
                if (b.Length > head.Length + 1 && b.StartsWith(head, StringComparison.Ordinal) && b[head.Length] == '.')
                {
                    rest = b[(head.Length + 1)..];
                    break;
                }
            if (rest is null) return null;
            var i = 0;
            while (i < rest.Length && (char.IsLetterOrDigit(rest[i]) || rest[i] == '_')) i++;
            if (i == 0 || (i < rest.Length && rest[i] == '(')) return null; // a function, not an element
            set.Add(rest[..i]);
        }
        return set;
    }
}
