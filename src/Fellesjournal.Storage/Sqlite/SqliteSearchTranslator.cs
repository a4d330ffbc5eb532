using System.Globalization;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Turns a <see cref="SearchQuery"/> into a <see cref="SearchNode"/> tree and then SQL. Criteria AND,
/// values within a criterion OR. Unknown parameters, unsupported modifiers and malformed values throw
/// <see cref="SearchException"/>.
/// </summary>
internal static class SqliteSearchTranslator
{
    private static readonly HashSet<string> Prefixes = ["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"];

    public static TranslatedSearch Translate(SearchQuery q, FhirDefinitions defs) => TranslatedSearch.Emit(Build(q, defs));

    public static SearchNode Build(SearchQuery q, FhirDefinitions defs)
    {
        var items = new List<SearchNode> { new RowPredicate("r.is_current = 1 AND r.deleted = 0") };
        if (q.ResourceType is not null)
        {
            if (!defs.IsConcreteResourceType(q.ResourceType))
                throw new SearchException($"Unknown resource type '{q.ResourceType}'.");
            items.Add(new RowPredicate("r.res_type = {0}", q.ResourceType));
        }
        foreach (var c in q.Criteria)
            items.Add(Criterion(q.ResourceType, c, defs));
        return new AndNode(items);
    }

    private static SearchNode Criterion(string? type, SearchCriterion c, FhirDefinitions defs)
    {
        if (c.Values.Count == 0 || c.Values.Any(string.IsNullOrEmpty))
            throw new SearchException($"Search parameter '{c.Code}' has an empty value.", c.Code);
        switch (c.Code)
        {
            case "_id":
                NoModifier(c, "missing");
                if (c.Modifier == "missing") return Missing(c, new RowPredicate("1 = 1"));
                return new OrNode(c.Values.Select(v => (SearchNode)new RowPredicate("r.res_id = {0}", v)).ToList());
            case "_lastUpdated":
                NoModifier(c);
                return new OrNode(c.Values.Select(v => LastUpdated(c.Code, v)).ToList());
        }
        if (type is null)
            throw new SearchException($"Search parameter '{c.Code}' needs a resource type (system-level search supports _id and _lastUpdated).", c.Code);
        var sp = defs.GetSearchParameter(type, c.Code)
                 ?? throw new SearchException($"Unknown search parameter '{c.Code}' for {type}.", c.Code);
        // phonetic has name's expression and is not indexed separately: approximate it with the name rows.
        var ident = IndexHash.Of(type, sp.Code == "phonetic" && defs.GetSearchParameter(type, "name") is not null ? "name" : sp.Code);
        if (c.Modifier == "missing")
        {
            var table = TableOf(sp);
            return Missing(c, new IndexPredicate(table, ident, "1 = 1"));
        }
        return sp.Type switch
        {
            "token" => Token(type, sp, ident, c),
            "string" => String(ident, c),
            "date" => Values(c, () => NoModifier(c), v => DateCondition(c.Code, v, "i.low", "i.high", row: false, ident)),
            "number" => Values(c, () => NoModifier(c), v => Number(c.Code, v, "idx_number", ident, null, null)),
            "quantity" => Values(c, () => NoModifier(c), v => Quantity(c.Code, v, ident)),
            "reference" => Reference(ident, c, defs),
            "uri" => Uri(ident, c),
            "composite" => Composite(type, sp, ident, c, defs),
            _ => throw new SearchException($"Search on '{c.Code}' ({sp.Type}) is not supported yet.", c.Code),
        };
    }

    private static string TableOf(SearchParameterInfo sp) => sp.Type switch
    {
        "token" => "idx_token",
        "string" => "idx_string",
        "date" => "idx_date",
        "number" => "idx_number",
        "quantity" => "idx_quantity",
        "reference" => "idx_reference",
        "uri" => "idx_uri",
        "composite" => "idx_composite",
        _ => throw new SearchException($"':missing' is not supported on '{sp.Code}' ({sp.Type}).", sp.Code),
    };

    private static SearchNode Missing(SearchCriterion c, SearchNode present)
    {
        if (c.Values.Count != 1 || c.Values[0] is not ("true" or "false"))
            throw new SearchException($"':missing' takes true or false.", c.Code);
        return c.Values[0] == "true" ? new NotNode(present) : present;
    }

    private static void NoModifier(SearchCriterion c, params string[] allowed)
    {
        if (c.Modifier is not null && !allowed.Contains(c.Modifier))
            throw new SearchException($"Modifier ':{c.Modifier}' is not supported on '{c.Code}'.", c.Code);
    }

    private static SearchNode Values(SearchCriterion c, Action check, Func<string, SearchNode> one)
    {
        check();
        return new OrNode(c.Values.Select(one).ToList());
    }

    private static (string Prefix, string Value) SplitPrefix(string v) =>
        v.Length > 2 && Prefixes.Contains(v[..2]) && (char.IsDigit(v[2]) || v[2] is '-' or '+' or '.')
            ? (v[..2], v[2..]) : ("eq", v);

    // ---- date ----

    private static SearchNode DateCondition(string code, string value, string low, string high, bool row, long? ident = null)
    {
        var (prefix, rest) = SplitPrefix(value);
        if (!PartialDateTime.TryParse(rest, out var d))
            throw new SearchException($"Invalid date '{value}' for '{code}'.", code);
        var lo = d.LowerBound.ToUnixTimeMilliseconds();
        var hi = d.UpperBoundExclusive.ToUnixTimeMilliseconds();
        // Ranges are [low, high); the target range t is compared with the search range s per FHIR's prefixes.
        var (sql, args) = prefix switch
        {
            "eq" => ($"{low} >= {{0}} AND {high} <= {{1}}", new object[] { lo, hi }),
            "ne" => ($"NOT ({low} >= {{0}} AND {high} <= {{1}})", new object[] { lo, hi }),
            "gt" => ($"{high} > {{0}}", new object[] { hi }),
            "lt" => ($"{low} < {{0}}", new object[] { lo }),
            "ge" => ($"{high} > {{0}}", new object[] { lo }),
            "le" => ($"{low} < {{0}}", new object[] { hi }),
            "sa" => ($"{low} >= {{0}}", new object[] { hi }),
            "eb" => ($"{high} <= {{0}}", new object[] { lo }),
            _ /* ap */ => ($"{low} < {{0}} AND {high} > {{1}}", new object[] { hi, lo }),
        };
        return row ? new RowPredicate(sql, args) : new IndexPredicate("idx_date", ident, sql, args);
    }

    /// <summary>_lastUpdated as a seq range: lastUpdated grows with seq, so "at or after t" is "seq at or after
    /// the first version written at t or later" (resolved when the query runs).</summary>
    private static SearchNode LastUpdated(string code, string value)
    {
        var (prefix, rest) = SplitPrefix(value);
        if (!PartialDateTime.TryParse(rest, out var d))
            throw new SearchException($"Invalid date '{value}' for '{code}'.", code);
        var lo = new SeqAtOrAfter(d.LowerBound.ToUnixTimeMilliseconds());
        var hi = new SeqAtOrAfter(d.UpperBoundExclusive.ToUnixTimeMilliseconds());
        // A version is the point [t, t+1ms): eq/ap = inside the range, gt/ge/sa/le/lt/eb compare with its ends.
        return prefix switch
        {
            "eq" or "ap" => new RowPredicate("r.seq >= {0} AND r.seq < {1}", lo, hi),
            "ne" => new RowPredicate("(r.seq < {0} OR r.seq >= {1})", lo, hi),
            "gt" or "sa" => new RowPredicate("r.seq >= {0}", hi),
            "ge" => new RowPredicate("r.seq >= {0}", lo),
            "lt" or "eb" => new RowPredicate("r.seq < {0}", lo),
            _ /* le */ => new RowPredicate("r.seq < {0}", hi),
        };
    }

    // ---- number / quantity ----

    private static decimal ParseDecimal(string code, string text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var d)
            ? d : throw new SearchException($"Invalid number '{text}' for '{code}'.", code);

    private static SearchNode Number(string code, string value, string table, long ident, string? extraSql, object[]? extraArgs)
    {
        var (prefix, rest) = SplitPrefix(value);
        var v = ParseDecimal(code, rest);
        // eq/ne use the implicit range of the value's precision: 100 matches [99.5, 100.5).
        var half = 0.5m / (decimal)Math.Pow(10, v.Scale);
        var (sql, args) = prefix switch
        {
            "eq" => ("i.value >= {0} AND i.value < {1}", new object[] { (double)(v - half), (double)(v + half) }),
            "ne" => ("NOT (i.value >= {0} AND i.value < {1})", new object[] { (double)(v - half), (double)(v + half) }),
            "gt" or "sa" => ("i.value > {0}", new object[] { (double)v }),
            "lt" or "eb" => ("i.value < {0}", new object[] { (double)v }),
            "ge" => ("i.value >= {0}", new object[] { (double)v }),
            "le" => ("i.value <= {0}", new object[] { (double)v }),
            _ /* ap: within 10% */ => ("i.value >= {0} AND i.value <= {1}",
                new object[] { (double)(v - Math.Abs(v) / 10), (double)(v + Math.Abs(v) / 10) }),
        };
        if (extraSql is not null)
        {
            sql = $"({sql}) AND " + string.Format(extraSql, Enumerable.Range(args.Length, extraArgs!.Length).Select(n => (object)("{" + n + "}")).ToArray());
            args = [.. args, .. extraArgs];
        }
        return new IndexPredicate(table, ident, sql, args);
    }

    private static SearchNode Quantity(string code, string value, long ident)
    {
        var parts = SplitUnescaped(value, '|');
        if (parts.Count is not (1 or 3)) throw new SearchException($"Invalid quantity '{value}' for '{code}'.", code);
        string? extra = null;
        object[]? args = null;
        if (parts.Count == 3)
        {
            var (system, unit) = (parts[1], parts[2]);
            if (system.Length > 0 && unit.Length > 0) (extra, args) = ("i.system = {0} AND i.code = {1}", [system, unit]);
            else if (unit.Length > 0) (extra, args) = ("(i.code = {0} OR i.unit = {0})", [unit]);
            else if (system.Length > 0) (extra, args) = ("i.system = {0}", [system]);
        }
        return Number(code, parts[0], "idx_quantity", ident, extra, args);
    }

    // ---- token ----

    private static SearchNode Token(string type, SearchParameterInfo sp, long ident, SearchCriterion c)
    {
        NoModifier(c, "text", "not");
        if (c.Modifier == "text")
            return new OrNode(c.Values.Select(v =>
            {
                var n = StringNormalizer.Normalize(v);
                return (SearchNode)new IndexPredicate("idx_token", ident, "i.text >= {0} AND i.text < {1}", n, n + "\U0010FFFF");
            }).ToList());
        var any = new OrNode(c.Values.Select(v => TokenValue(type, sp, ident, v)).ToList());
        return c.Modifier == "not" ? new NotNode(any) : any;
    }

    private static SearchNode TokenValue(string type, SearchParameterInfo sp, long ident, string value)
    {
        var parts = SplitUnescaped(value, '|');
        if (parts.Count == 1) return new IndexPredicate("idx_token", ident, "i.code = {0}", parts[0]);
        if (parts.Count != 2) throw new SearchException($"Invalid token '{value}' for '{sp.Code}'.", sp.Code);
        var (system, code) = (parts[0], parts[1]);
        if (system.Length == 0) return new IndexPredicate("idx_token", ident, "i.code = {0} AND i.system IS NULL", code);
        if (code.Length == 0) return new IndexPredicate("idx_token", ident, "i.system = {0}", system);
        // (h_ident, code) is the index; the system is checked through the row's hash.
        return new IndexPredicate("idx_token", ident, "i.code = {0} AND i.h_sys_code = {1}", code, IndexHash.Of(type, sp.Code, system, code));
    }

    // ---- string ----

    private static SearchNode String(long ident, SearchCriterion c)
    {
        NoModifier(c, "exact", "contains");
        return new OrNode(c.Values.Select(v => (SearchNode)(c.Modifier switch
        {
            "exact" => new IndexPredicate("idx_string", ident, "i.exact = {0}", v),
            "contains" => new IndexPredicate("idx_string", ident, "instr(i.norm, {0}) > 0", StringNormalizer.Normalize(v)),
            _ => new IndexPredicate("idx_string", ident, "i.norm >= {0} AND i.norm < {1}",
                StringNormalizer.Normalize(v), StringNormalizer.Normalize(v) + "\U0010FFFF"),
        })).ToList());
    }

    // ---- reference ----

    private static SearchNode Reference(long ident, SearchCriterion c, FhirDefinitions defs)
    {
        // subject:Patient=123 restricts the target type.
        string? typeModifier = null;
        if (c.Modifier is not null)
        {
            if (!defs.IsConcreteResourceType(c.Modifier))
                throw new SearchException($"Modifier ':{c.Modifier}' is not supported on '{c.Code}'.", c.Code);
            typeModifier = c.Modifier;
        }
        return new OrNode(c.Values.Select(v =>
        {
            var r = ReferenceParser.Parse(v, defs);
            if (r is null) throw new SearchException($"Invalid reference '{v}' for '{c.Code}'.", c.Code);
            // Relative references (and bare ids) match local targets only; an absolute URL matches its base.
            if (r.TargetType is null)
            {
                if (v.Contains(':'))
                    return (SearchNode)new IndexPredicate("idx_reference", ident, "i.target_id = {0} AND i.target_type IS NULL", v);
                return typeModifier is null
                    ? new IndexPredicate("idx_reference", ident, "i.target_id = {0} AND i.base_url IS NULL", v)
                    : new IndexPredicate("idx_reference", ident, "i.target_id = {0} AND i.target_type = {1} AND i.base_url IS NULL", v, typeModifier);
            }
            if (typeModifier is not null && typeModifier != r.TargetType)
                throw new SearchException($"Reference '{v}' does not match ':{typeModifier}'.", c.Code);
            return r.BaseUrl is null
                ? new IndexPredicate("idx_reference", ident, "i.target_id = {0} AND i.target_type = {1} AND i.base_url IS NULL", r.TargetId, r.TargetType)
                : new IndexPredicate("idx_reference", ident, "i.target_id = {0} AND i.target_type = {1} AND i.base_url = {2}",
                    r.TargetId, r.TargetType, r.BaseUrl);
        }).ToList());
    }

    // ---- uri ----

    private static SearchNode Uri(long ident, SearchCriterion c)
    {
        NoModifier(c, "below", "above");
        return new OrNode(c.Values.Select(v => (SearchNode)(c.Modifier switch
        {
            "below" => new IndexPredicate("idx_uri", ident, "i.uri >= {0} AND i.uri < {1}", v, v + "\U0010FFFF"),
            "above" => new IndexPredicate("idx_uri", ident, "substr({0}, 1, length(i.uri)) = i.uri", v),
            _ => new IndexPredicate("idx_uri", ident, "i.uri = {0}", v),
        })).ToList());
    }

    // ---- composite ----

    /// <summary>Composite search by equality of every component (token codes, normalized strings, exact
    /// numbers/quantities) through the tuple's hash; prefixes and date components are not supported yet.
    /// Token systems are not part of the key, so <c>system|code</c> components match on the code.</summary>
    private static SearchNode Composite(string type, SearchParameterInfo sp, long ident, SearchCriterion c, FhirDefinitions defs)
    {
        NoModifier(c);
        var types = sp.Components.Select(x => defs.GetSearchParameterByUrl(x.Definition)?.Type).ToList();
        return new OrNode(c.Values.Select(v =>
        {
            var parts = SplitUnescaped(v, '$');
            if (parts.Count != types.Count) throw new SearchException($"'{c.Code}' takes {types.Count} components separated by '$'.", c.Code);
            var keys = new List<string>();
            for (var i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                keys.Add(types[i] switch
                {
                    "token" => SplitUnescaped(part, '|')[^1],
                    "string" => StringNormalizer.Normalize(part),
                    "uri" or "reference" => part,
                    "number" or "quantity" when SplitPrefix(part) is ("eq", var rest) =>
                        CompositeKeys.Canonical(ParseDecimal(c.Code, SplitUnescaped(rest, '|')[0])),
                    _ => throw new SearchException($"Component {i + 1} of '{c.Code}' ({types[i]}) supports only exact values for now.", c.Code),
                });
            }
            return (SearchNode)new IndexPredicate("idx_composite", ident, "i.h_value = {0}",
                IndexHash.Of(type, sp.Code, string.Join("$", keys)));
        }).ToList());
    }

    /// <summary>Splits on a separator not escaped with a backslash, unescaping \, \$ \| \\.</summary>
    private static List<string> SplitUnescaped(string value, char sep)
    {
        var parts = new List<string>();
        var sb = new System.Text.StringBuilder();
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
