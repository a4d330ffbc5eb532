using System.Globalization;
using System.Text;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Search;

/// <summary>
/// Parses a <see cref="SearchQuery"/> into a store-neutral <see cref="SearchPlan"/>: criteria AND, values OR,
/// chains, <c>_has</c>, compartment and access restriction. Unknown parameters, unsupported modifiers and
/// malformed values throw <see cref="SearchException"/> naming the parameter (HTTP 400, never 500).
/// </summary>
public static class SearchExpressionBuilder
{
    private static readonly Dictionary<string, SearchPrefix> Prefixes = new()
    {
        ["eq"] = SearchPrefix.Eq, ["ne"] = SearchPrefix.Ne, ["gt"] = SearchPrefix.Gt, ["lt"] = SearchPrefix.Lt,
        ["ge"] = SearchPrefix.Ge, ["le"] = SearchPrefix.Le, ["sa"] = SearchPrefix.Sa, ["eb"] = SearchPrefix.Eb,
        ["ap"] = SearchPrefix.Ap,
    };

    /// <summary>Deepest chain / _has nesting accepted (keeps statements bounded).</summary>
    public const int MaxDepth = 4;

    public static SearchPlan Build(SearchQuery q, FhirDefinitions defs)
    {
        var items = new List<SearchExpr>();
        if (q.ResourceType is not null)
        {
            if (!defs.IsConcreteResourceType(q.ResourceType))
                throw new SearchException($"Unknown resource type '{q.ResourceType}'.");
            items.Add(new TypeIn([q.ResourceType]));
        }
        else if (q.Types is { Count: > 0 } types)
        {
            foreach (var t in types)
                if (!defs.IsConcreteResourceType(t)) throw new SearchException($"Unknown resource type '{t}' in _type.", "_type");
            items.Add(new TypeIn(types));
        }
        if (q.Compartment is not null) items.Add(new InPatientCompartment(q.Compartment));
        if (q.Access is { IsUnrestricted: false } access) items.Add(new AccessRestriction(access));
        var criteria = new List<SearchExpr>();
        foreach (var c in q.Criteria)
        {
            if (c.Values.Count == 0 || c.Values.Any(string.IsNullOrEmpty))
                throw new SearchException($"Search parameter '{c.Key}' has an empty value.", c.Key);
            var e = Criterion(q.ResourceType, c.Key, c.Values, defs, q.Access, 0);
            if (q.Contained != ContainedScope.False) CheckContained(c.Key, e);
            criteria.Add(e);
        }
        if (q.Contained == ContainedScope.False)
            return new SearchPlan(new AllOf([.. items, .. criteria]), Sorts(q, defs), IncludeSpecs(q, defs));
        return Contained(q, items, criteria, defs);
    }

    /// <summary>_contained=true|both: the rows are containers of any type (their compartment and access as for any row)
    /// that contain a match; with both, resources of the type that match themselves too.</summary>
    private static SearchPlan Contained(SearchQuery q, List<SearchExpr> items, List<SearchExpr> criteria, FhirDefinitions defs)
    {
        if (q.ResourceType is not { } type)
            throw new SearchException("_contained=true|both needs a resource type.", "_contained");
        if (q.Sort is { Count: > 0 } sort && (q.ReturnContained || sort.Any(k => k.TrimStart('-') is not ("_id" or "_lastUpdated"))))
            throw new SearchException("With _contained=true|both, _sort supports only _id and _lastUpdated of the containers" +
                                      " (and nothing with _containedType=contained).", "_sort");
        items.RemoveAll(e => e is TypeIn);
        var locked = q.Access?.Hidden.Where(h => !h.IsCoding && h.Key == type).Select(h => h.PatientId).Distinct().ToList() ?? [];
        var match = new ContainedMatch(type, new AllOf(criteria), q.ContainerTypes, locked);
        items.Add(q.Contained == ContainedScope.True ? match : new AnyOf([new AllOf([new TypeIn([type]), .. criteria]), match]));
        return new SearchPlan(new AllOf(items), Sorts(q, defs), IncludeSpecs(q, defs)) { ReturnContained = q.ReturnContained };
    }

    /// <summary>What the index holds of a contained resource: its parameters' values and its id. No meta.lastUpdated,
    /// no narrative of its own, and nothing refers to it from outside its container.</summary>
    private static void CheckContained(string key, SearchExpr e)
    {
        switch (e)
        {
            case ParamMatch or ParamPresent or IdIn or ChainMatch:
                return;
            case AllOf a:
                foreach (var i in a.Items) CheckContained(key, i);
                return;
            case AnyOf o:
                foreach (var i in o.Items) CheckContained(key, i);
                return;
            case NotExpr n:
                CheckContained(key, n.Inner);
                return;
            default:
                throw new UnsupportedSearchParameterException($"'{key}' cannot be searched in contained resources.", key);
        }
    }

    /// <summary>_include=Source:param[:Target], _revinclude likewise; param "*" = every reference parameter of Source.</summary>
    private static IReadOnlyList<IncludeSpec> IncludeSpecs(SearchQuery q, FhirDefinitions defs)
    {
        if (q.Includes is not { Count: > 0 }) return [];
        var specs = new List<IncludeSpec>();
        foreach (var (key, value) in q.Includes)
        {
            var reverse = key.StartsWith("_revinclude", StringComparison.Ordinal);
            var modifier = key.Contains(':') ? key[(key.IndexOf(':') + 1)..] : null;
            if (modifier is not (null or "iterate" or "recurse"))
                throw new UnsupportedSearchParameterException($"Modifier ':{modifier}' is not supported on '{key.Split(':')[0]}'.", key);
            var parts = value.Split(':');
            if (parts.Length is < 2 or > 3 || !defs.IsConcreteResourceType(parts[0]))
                throw new SearchException($"Invalid {key} value '{value}': expected ResourceType:parameter[:TargetType].", key);
            var target = parts.Length == 3 ? parts[2] : null;
            if (target is not null && !defs.IsConcreteResourceType(target))
                throw new SearchException($"Unknown target type '{target}' in {key}={value}.", key);
            IEnumerable<string> codes;
            if (parts[1] == "*")
                codes = defs.SearchParametersFor(parts[0]).Values.Where(p => p.Type == "reference").Select(p => p.Code);
            else
            {
                var sp = defs.GetSearchParameter(parts[0], parts[1]);
                if (sp is null || sp.Type != "reference")
                    throw new SearchException($"'{parts[1]}' is not a reference parameter of {parts[0]} ({key}={value}).", key);
                codes = [sp.Code];
            }
            foreach (var code in codes.Distinct())
                specs.Add(new IncludeSpec(parts[0], code, target, reverse, modifier is not null));
        }
        return specs;
    }

    private static IReadOnlyList<SortKey> Sorts(SearchQuery q, FhirDefinitions defs)
    {
        if (q.Sort is not { Count: > 0 }) return [];
        var keys = new List<SortKey>();
        foreach (var raw in q.Sort)
        {
            var desc = raw.StartsWith('-');
            var code = desc ? raw[1..] : raw;
            if (code is "_id" or "_lastUpdated") { keys.Add(new SortKey(code, null, desc)); continue; }
            if (q.ResourceType is null) throw new SearchException($"_sort on '{code}' needs a resource type.", "_sort");
            var sp = defs.GetSearchParameter(q.ResourceType, code)
                     ?? throw new SearchException($"Unknown _sort parameter '{code}' for {q.ResourceType}.", "_sort");
            var kind = KindOf(sp) ?? throw new SearchException($"Cannot sort on '{code}' ({sp.Type}).", "_sort");
            if (kind is IndexKind.Composite) throw new SearchException($"Cannot sort on '{code}' ({sp.Type}).", "_sort");
            keys.Add(new SortKey(code, kind, desc));
        }
        return keys;
    }

    public static IndexKind? KindOf(SearchParameterInfo sp) => sp.Type switch
    {
        "token" => IndexKind.Token,
        "string" => IndexKind.String,
        "date" => IndexKind.Date,
        "number" => IndexKind.Number,
        "quantity" => IndexKind.Quantity,
        "reference" => IndexKind.Reference,
        "uri" => IndexKind.Uri,
        "composite" => IndexKind.Composite,
        _ => null,
    };

    /// <summary>One parameter (its full key with modifiers and chain) on <paramref name="type"/>.</summary>
    private static SearchExpr Criterion(string? type, string key, IReadOnlyList<string> values, FhirDefinitions defs,
        CompartmentAccess? access, int depth)
    {
        if (depth > MaxDepth) throw new SearchException($"'{key}' nests chains or _has deeper than {MaxDepth}.", key);
        if (key.StartsWith("_has:", StringComparison.Ordinal)) return Has(type, key, values, defs, access, depth);
        var dot = key.IndexOf('.');
        if (dot > 0) return Chain(type, key, dot, values, defs, access, depth);

        var colon = key.IndexOf(':');
        var code = colon < 0 ? key : key[..colon];
        var modifier = colon < 0 ? null : key[(colon + 1)..];
        switch (code)
        {
            case "_id":
                NoModifier(code, modifier, "missing");
                if (modifier == "missing") return Missing(code, values, new AllOf([]));
                return new IdIn(values.Select(Unescape).ToList());
            case "_lastUpdated":
                NoModifier(code, modifier);
                return new AnyOf(values.Select(v =>
                {
                    var (p, lo, hi) = DateRange(code, v);
                    return (SearchExpr)new LastUpdatedMatch(p, lo, hi);
                }).ToList());
            case "_list":
                NoModifier(code, modifier);
                // _list=42 is "referenced by an item of List/42".
                return new HasMatch("List", "item", type, Restricted(new AllOf([new TypeIn(["List"]), new IdIn(values)]), access));
            case "_text" or "_content":
                NoModifier(code, modifier);
                // Values are alternatives (a,b = a OR b); the words of one value must all occur.
                return new AnyOf(values.Select(v => (SearchExpr)new TextMatch(code == "_text", TextTerms(key, v))).ToList());
        }
        if (type is null)
            throw new UnsupportedSearchParameterException($"Search parameter '{key}' needs a resource type (system-level search supports _id, _lastUpdated, _list).", key);
        var sp = defs.GetSearchParameter(type, code)
                 ?? throw new UnsupportedSearchParameterException($"Unknown search parameter '{code}' for {type}.", key);
        // phonetic has name's expression and is not indexed separately: approximate it with the name rows.
        var param = sp.Code == "phonetic" && defs.GetSearchParameter(type, "name") is not null ? "name" : sp.Code;
        var kind = KindOf(sp) ?? throw new UnsupportedSearchParameterException($"Search on '{code}' ({sp.Type}) is not supported.", key);
        if (modifier == "missing") return Missing(key, values, new ParamPresent(type, param, kind));

        SearchExpr Each(Func<string, ValueCondition> one) =>
            new AnyOf(values.Select(v => (SearchExpr)new ParamMatch(type, param, one(v))).ToList());

        switch (kind)
        {
            case IndexKind.Token:
                NoModifier(key, modifier, "text", "not", "in", "not-in", "below", "above", "of-type");
                switch (modifier)
                {
                    case "text":
                        return Each(v => new TokenTextCondition(StringNormalizer.Normalize(Unescape(v))));
                    case "in":
                        return Each(v => TokenModifiers.InValueSet(key, Unescape(v)));
                    case "not-in":
                        return new NotExpr(Each(v => TokenModifiers.InValueSet(key, Unescape(v))));
                    case "below" or "above":
                        return Each(v => TokenModifiers.Hierarchy(key, v, modifier == "below"));
                    case "of-type":
                        return new AnyOf(values.Select(v => (SearchExpr)new ParamMatch(type, TokenModifiers.OfTypeParam(param),
                            TokenModifiers.OfType(key, v))).ToList());
                }
                var any = Each(v => Token(key, v));
                return modifier == "not" ? new NotExpr(any) : any;
            case IndexKind.String:
                NoModifier(key, modifier, "exact", "contains");
                return Each(v => modifier switch
                {
                    "exact" => new StringCondition(StringMode.Exact, Unescape(v)),
                    "contains" => new StringCondition(StringMode.Contains, StringNormalizer.Normalize(Unescape(v))),
                    _ => new StringCondition(StringMode.StartsWith, StringNormalizer.Normalize(Unescape(v))),
                });
            case IndexKind.Date:
                NoModifier(key, modifier);
                return Each(v => { var (p, lo, hi) = DateRange(key, v); return new DateCondition(p, lo, hi); });
            case IndexKind.Number:
                NoModifier(key, modifier);
                return Each(v => Number(key, v));
            case IndexKind.Quantity:
                NoModifier(key, modifier);
                return new AnyOf(values.SelectMany(v => Quantity(key, v))
                    .Select(c => (SearchExpr)new ParamMatch(type, param, c)).ToList());
            case IndexKind.Reference:
                string? typeModifier = null;
                if (modifier == "identifier")
                    return new AnyOf(values.Select(v => (SearchExpr)new ParamMatch(type, TokenModifiers.IdentifierParam(param),
                        Token(key, v))).ToList());
                if (modifier is not null)
                {
                    if (!defs.IsConcreteResourceType(modifier))
                        throw new UnsupportedSearchParameterException($"Modifier ':{modifier}' is not supported on '{code}'.", key);
                    typeModifier = modifier;
                }
                return Each(v => Reference(key, v, typeModifier, defs));
            case IndexKind.Uri:
                NoModifier(key, modifier, "below", "above");
                return Each(v => new UriCondition(modifier switch
                {
                    "below" => UriMode.Below,
                    "above" => UriMode.Above,
                    _ => UriMode.Equals,
                }, Unescape(v)));
            case IndexKind.Composite:
                NoModifier(key, modifier);
                return new AnyOf(values.Select(v => CompositeRanges.TryBuild(type, param, key, sp, v, defs)
                                                    ?? new ParamMatch(type, param, Composite(key, sp, v, defs))).ToList());
            default:
                throw new UnsupportedSearchParameterException($"Search on '{code}' ({sp.Type}) is not supported yet.", key);
        }
    }

    /// <summary><c>subject:Patient.name=x</c>: the part before the first dot names the reference (and target type).</summary>
    private static SearchExpr Chain(string? type, string key, int dot, IReadOnlyList<string> values, FhirDefinitions defs,
        CompartmentAccess? access, int depth)
    {
        if (type is null) throw new SearchException($"Chained parameter '{key}' needs a resource type.", key);
        var head = key[..dot];
        var rest = key[(dot + 1)..];
        if (rest.Length == 0) throw new SearchException($"Chained parameter '{key}' is incomplete.", key);
        var colon = head.IndexOf(':');
        var code = colon < 0 ? head : head[..colon];
        var targetType = colon < 0 ? null : head[(colon + 1)..];
        var sp = defs.GetSearchParameter(type, code)
                 ?? throw new UnsupportedSearchParameterException($"Unknown search parameter '{code}' for {type}.", key);
        if (sp.Type != "reference") throw new UnsupportedSearchParameterException($"'{code}' is not a reference parameter and cannot be chained.", key);
        var targets = targetType is not null ? [targetType] : sp.Target.Where(defs.IsConcreteResourceType).ToList();
        if (targetType is not null && !defs.IsConcreteResourceType(targetType))
            throw new UnsupportedSearchParameterException($"Unknown resource type '{targetType}' in '{key}'.", key);
        var restCode = rest.Split(':', '.')[0];
        // Only targets that know the chained parameter take part (subject.name: Patient, Group, ...).
        var usable = targets.Where(t => restCode.StartsWith('_') || defs.GetSearchParameter(t, restCode) is not null).ToList();
        if (usable.Count == 0) throw new UnsupportedSearchParameterException($"No target of '{code}' has a search parameter '{restCode}'.", key);
        var alternatives = usable.Select(t => (SearchExpr)new ChainMatch(type, sp.Code, [t],
            Restricted(new AllOf([new TypeIn([t]), Criterion(t, rest, values, defs, access, depth + 1)]), access))).ToList();
        return alternatives.Count == 1 ? alternatives[0] : new AnyOf(alternatives);
    }

    /// <summary><c>_has:Observation:subject:code=x</c>, possibly nested (<c>_has:A:p:_has:B:q:code=x</c>).</summary>
    private static SearchExpr Has(string? type, string key, IReadOnlyList<string> values, FhirDefinitions defs,
        CompartmentAccess? access, int depth)
    {
        var parts = key.Split(':', 4);
        if (parts.Length < 4 || parts[1].Length == 0 || parts[2].Length == 0 || parts[3].Length == 0)
            throw new SearchException($"'{key}' must be _has:Type:reference:parameter.", key);
        var (source, refParam, rest) = (parts[1], parts[2], parts[3]);
        if (!defs.IsConcreteResourceType(source)) throw new UnsupportedSearchParameterException($"Unknown resource type '{source}' in '{key}'.", key);
        var sp = defs.GetSearchParameter(source, refParam)
                 ?? throw new UnsupportedSearchParameterException($"Unknown search parameter '{refParam}' for {source} in '{key}'.", key);
        if (sp.Type != "reference") throw new SearchException($"'{refParam}' of {source} is not a reference parameter.", key);
        if (type is not null && sp.Target.Count > 0 && !sp.Target.Contains(type))
            throw new SearchException($"{source}.{refParam} cannot refer to {type}.", key);
        return new HasMatch(source, sp.Code, type,
            Restricted(new AllOf([new TypeIn([source]), Criterion(source, rest, values, defs, access, depth + 1)]), access));
    }

    /// <summary>The words of a full-text value, normalized like the indexed text (punctuation separates words).</summary>
    private static IReadOnlyList<string> TextTerms(string key, string value)
    {
        var norm = StringNormalizer.Normalize(Unescape(value));
        var terms = norm.Split(norm.Where(ch => !char.IsLetterOrDigit(ch)).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries);
        return terms.Length > 0 ? terms : throw new SearchException($"'{key}={value}' has no words to search for.", key);
    }

    private static SearchExpr Restricted(AllOf inner, CompartmentAccess? access) =>
        access is { IsUnrestricted: false } ? new AllOf([.. inner.Items, new AccessRestriction(access)]) : inner;

    private static SearchExpr Missing(string key, IReadOnlyList<string> values, SearchExpr present)
    {
        if (values.Count != 1 || values[0] is not ("true" or "false"))
            throw new SearchException($"':missing' takes true or false, not '{string.Join(",", values)}'.", key);
        return values[0] == "true" ? new NotExpr(present) : present;
    }

    private static void NoModifier(string key, string? modifier, params string[] allowed)
    {
        if (modifier is not null && !allowed.Contains(modifier))
            throw new UnsupportedSearchParameterException($"Modifier ':{modifier}' is not supported on '{key.Split(':')[0]}'.", key);
    }

    public static (SearchPrefix Prefix, string Value) SplitPrefix(string v) =>
        v.Length > 2 && Prefixes.TryGetValue(v[..2], out var p) && (char.IsDigit(v[2]) || v[2] is '-' or '+' or '.')
            ? (p, v[2..]) : (SearchPrefix.Eq, v);

    private static (SearchPrefix, DateTimeOffset, DateTimeOffset) DateRange(string key, string value)
    {
        var (prefix, rest) = SplitPrefix(value);
        if (!PartialDateTime.TryParse(rest, out var d))
            throw new SearchException($"Invalid date '{value}' for '{key}': expected yyyy, yyyy-mm, yyyy-mm-dd or a dateTime with time zone.", key);
        return (prefix, d.LowerBound, d.UpperBoundExclusive);
    }

    private static decimal ParseDecimal(string key, string text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var d)
            ? d : throw new SearchException($"Invalid number '{text}' for '{key}'.", key);

    internal static NumberCondition Number(string key, string value)
    {
        var (prefix, rest) = SplitPrefix(value);
        var v = ParseDecimal(key, rest);
        // The implicit range of the value's precision: 100 is [99.5, 100.5), 1e2 has scale 0 as well.
        var half = 0.5m / Pow10(v.Scale);
        return new NumberCondition(prefix, v, v - half, v + half);
    }

    private static decimal Pow10(int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++) r *= 10;
        return r;
    }

    /// <summary>A quantity value, expanded into one condition per unit of the same dimension the store may hold
    /// (<c>5.4|ucum|mmol/L</c> also matches 5400 umol/L).</summary>
    private static IEnumerable<QuantityCondition> Quantity(string key, string value)
    {
        var parts = SplitUnescaped(value, '|');
        if (parts.Count is not (1 or 3)) throw new SearchException($"Invalid quantity '{value}' for '{key}': expected [prefix]number|system|code.", key);
        var n = Number(key, parts[0]);
        if (parts.Count == 1) return [new QuantityCondition(n, null, null)];
        var (system, code) = (parts[1].Length == 0 ? null : parts[1], parts[2].Length == 0 ? null : parts[2]);
        var list = new List<QuantityCondition> { new(n, system, code) };
        if (code is not null && (system is null || system == UcumUnits.System))
            foreach (var (unit, factor) in UcumUnits.SameDimension(code))
                list.Add(new QuantityCondition(Scale(n, factor), UcumUnits.System, unit));
        return list;
    }

    private static NumberCondition Scale(NumberCondition n, decimal f) => new(n.Prefix, n.Value * f, n.Low * f, n.High * f);

    /// <summary>Composite search by equality of every component (prefixes: see <see cref="CompositeRanges"/>).
    /// Token systems are not part of the key, so <c>system|code</c> components match on the code.</summary>
    private static CompositeCondition Composite(string key, SearchParameterInfo sp, string value, FhirDefinitions defs)
    {
        var types = sp.Components.Select(x => defs.GetSearchParameterByUrl(x.Definition)?.Type).ToList();
        var parts = SplitUnescaped(value, '$');
        if (parts.Count != types.Count) throw new SearchException($"'{key}' takes {types.Count} components separated by '$'.", key);
        var keys = new List<string>();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            keys.Add(types[i] switch
            {
                "token" => SplitUnescaped(part, '|')[^1],
                "string" => StringNormalizer.Normalize(part),
                "uri" or "reference" => part,
                "number" or "quantity" when SplitPrefix(part) is (SearchPrefix.Eq, var rest) =>
                    Sqlite.CompositeKeys.Canonical(ParseDecimal(key, SplitUnescaped(rest, '|')[0])),
                _ => throw new SearchException($"Component {i + 1} of '{key}' ({types[i]}) supports only exact values for now.", key),
            });
        }
        return new CompositeCondition(string.Join("$", keys));
    }

    private static TokenCondition Token(string key, string value)
    {
        var parts = SplitUnescaped(value, '|');
        if (parts.Count == 1) return new TokenCondition(null, parts[0], AnySystem: true);
        if (parts.Count != 2) throw new SearchException($"Invalid token '{value}' for '{key}': expected [system|]code.", key);
        var (system, code) = (parts[0], parts[1]);
        if (system.Length == 0) return new TokenCondition(null, code, AnySystem: false);
        if (code.Length == 0) return new TokenCondition(system, null, AnySystem: false);
        return new TokenCondition(system, code, AnySystem: false);
    }

    private static ReferenceCondition Reference(string key, string raw, string? typeModifier, FhirDefinitions defs)
    {
        var v = Unescape(raw);
        var r = ReferenceParser.Parse(v, defs);
        if (r is null) throw new SearchException($"Invalid reference '{v}' for '{key}'.", key);
        if (r.TargetType is null)
            return v.Contains(':') ? new ReferenceCondition(null, v, null, IsUrl: true) : new ReferenceCondition(typeModifier, v, null);
        if (typeModifier is not null && typeModifier != r.TargetType)
            throw new SearchException($"Reference '{v}' does not match ':{typeModifier}'.", key);
        return new ReferenceCondition(r.TargetType, r.TargetId, r.BaseUrl);
    }

    public static string Unescape(string value) => SplitUnescaped(value, '\0')[0];

    /// <summary>Splits on a separator not escaped with a backslash, unescaping \, \$ \| \\.</summary>
    public static List<string> SplitUnescaped(string value, char sep)
    {
        var parts = new List<string>();
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (ch == '\\' && i + 1 < value.Length) { sb.Append(value[++i]); continue; }
            if (ch == sep) { parts.Add(sb.ToString()); sb.Clear(); continue; }
            sb.Append(ch);
        }
        parts.Add(sb.ToString());
        return parts;
    }
}
