using System.Text;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Storage.Search;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Translates the store-neutral <see cref="SearchExpr"/> tree into one SQLite WHERE clause over
/// <c>resource_version r</c>. Index conditions become <c>seq IN (SELECT seq FROM idx_* ...)</c> semi-joins on the
/// (h_ident, value) indexes; chains and _has become nested semi-joins through <c>idx_reference</c>.
/// </summary>
internal static class SqliteSearchTranslator
{
    /// <param name="postgres">Emit the few constructs that differ for PostgreSQL (full text, composite text parsing).</param>
    public static TranslatedSearch Translate(SearchQuery q, FhirDefinitions defs, bool postgres = false)
    {
        var plan = SearchExpressionBuilder.Build(q, defs);
        var t = new TranslatedSearch(plan) { Postgres = postgres };
        if (plan.ReturnContained)
        {
            t.BuildContainedResults();
            return t;
        }
        t.Where = "r.is_current = 1 AND r.deleted = 0 AND " + t.Emit(plan.Filter, "r");
        t.BuildSort();
        return t;
    }
}

/// <summary>A translated search: WHERE clause, sort expressions and their parameters.</summary>
internal sealed partial class TranslatedSearch(SearchPlan plan)
{
    private readonly List<KeyValuePair<string, object>> _params = [];
    private int _aliases;

    public SearchPlan Plan { get; } = plan;
    /// <summary>The parameters by name (<c>$pN</c>); the PostgreSQL store rebinds them.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Parameters => _params;
    public string Where { get; set; } = "1 = 1";
    /// <summary>Sort key expressions over <c>r</c>, in order, with their direction.</summary>
    public List<(string Sql, bool Desc)> SortColumns { get; } = [];

    public void Bind(SqliteCommand cmd)
    {
        foreach (var (k, v) in _params)
            cmd.Parameters.AddWithValue(k, v is SeqAtOrAfter s ? SeqBounds.FirstAtOrAfter(cmd.Connection!, cmd.Transaction, s.Millis) : v);
    }

    private string P(object value)
    {
        var name = "$p" + _params.Count;
        _params.Add(new(name, value));
        return name;
    }

    private string Alias(string prefix) => prefix + (++_aliases);

    private const string Live = "{0}.is_current = 1 AND {0}.deleted = 0";

    public string Emit(SearchExpr e, string a) => e switch
    {
        AllOf { Items.Count: 0 } => "1 = 1",
        AllOf x => All(x, a),
        AnyOf { Items.Count: 0 } => "0 = 1",
        AnyOf x => Any(x, a),
        NotExpr x => $"NOT ({Emit(x.Inner, a)})",
        TypeIn x => x.Types.Count == 1 ? $"{a}.res_type = {P(x.Types[0])}" : $"{a}.res_type IN ({string.Join(", ", x.Types.Select(P))})",
        IdIn x => x.Ids.Count == 1 ? $"{a}.res_id = {P(x.Ids[0])}" : $"{a}.res_id IN ({string.Join(", ", x.Ids.Select(P))})",
        LastUpdatedMatch x => LastUpdated(x, a),
        InPatientCompartment x => $"{a}.patient_id = {P(x.PatientId)}",
        ParamMatch x => Index(x.ResourceType, x.Param, x.Condition.Kind, a, i => Condition(x, i)),
        ParamPresent x => Index(x.ResourceType, x.Param, x.Kind, a, _ => "1 = 1"),
        ChainMatch x => Chain(x, a),
        HasMatch x => Has(x, a),
        AccessRestriction x => AccessSql.Predicate(a, x.Access, P) ?? "1 = 1",
        TextMatch x => FullText(x, a),
        ContainedMatch x => ContainedSemiJoin(x, a),
        _ => throw new InvalidOperationException("Unknown search node " + e.GetType().Name),
    };

    /// <summary>
    /// Rows (searched rows, chain targets, _has sources) under an explicit set of compartments: a semi-join over
    /// <c>ix_rv_patient (patient_id, res_type, seq)</c>, one seek per permitted compartment (and one for the shared
    /// rows), so a citizen's search reads their rows instead of scanning the type; it also drives the statement
    /// when nothing narrower does (see <see cref="All"/>). The OR form (<c>patient_id IS NULL OR patient_id IN ...</c>)
    /// is never used by the planner as a driver. Locks are checked per row.
    /// </summary>
    private string CompartmentSet(CompartmentAccess access, string a, IReadOnlyList<string>? types)
    {
        string Branch(string patientCondition)
        {
            var x = Alias("x");
            var type = types is null ? "" : types.Count == 1 ? $" AND {x}.res_type = {P(types[0])}"
                : $" AND {x}.res_type IN ({string.Join(", ", types.Select(P))})";
            return $"SELECT {x}.seq FROM resource_version {x} WHERE {string.Format(Live, x)}{type} AND {string.Format(patientCondition, x)}";
        }
        var branches = new List<string>();
        if (access.PatientIds.Count > 0) branches.Add(Branch(AccessSql.InSet("{0}", access, P)));
        if (access.IncludeShared) branches.Add(Branch("{0}.patient_id IS NULL"));
        var set = branches.Count == 0 ? "0 = 1" : $"{a}.seq IN ({string.Join(" UNION ALL ", branches)})";
        // The compartment part is the semi-join; the locks (if any) are the per-row part of the same predicate.
        var locks = AccessSql.Predicate(a, access with { All = true, IncludeShared = true }, P);
        return locks is null ? set : $"{set} AND {locks}";
    }

    /// <summary>When an equality condition (token, reference, uri, string) narrows the rows, range conditions (date,
    /// number, quantity) are checked per candidate row through the index primary key instead of materializing every
    /// index row in the range (a date range over all Encounters is thousands of rows).</summary>
    private string All(AllOf x, string a)
    {
        var selective = x.Items.Any(i => i is IdIn || i is ParamMatch { Condition: TokenCondition or ReferenceCondition or UriCondition
            or StringCondition { Mode: not StringMode.Contains } or CompositeCondition } || i is AnyOf o && o.Items.Count > 0 &&
            o.Items.All(m => m is ParamMatch { Condition: TokenCondition or ReferenceCondition }));
        // A patient reference or an id list is the narrowest driver: every other index condition is then checked per row.
        // Next best: the caller's explicit compartments (a citizen's rows are few).
        var driver = x.Items.FirstOrDefault(i => i is IdIn || i is ParamMatch { Condition: ReferenceCondition } ||
                                                 i is AnyOf o && o.Items.Count > 0 && o.Items.All(m => m is ParamMatch { Condition: ReferenceCondition }))
                     ?? x.Items.FirstOrDefault(i => i is AccessRestriction { Access.All: false });
        var types = x.Items.OfType<TypeIn>().FirstOrDefault()?.Types;
        // With a reference or id driver the caller's compartments are a per-row check of the few rows it yields: as
        // a semi-join they were materialized in full first (every Observation of the patient for each
        // Observation?subject=X&code=Y a clinician made), the largest cost of access control on the search mix.
        var compartmentsDrive = driver is AccessRestriction;
        return string.Join(" AND ", x.Items.Select(i =>
            i is AccessRestriction { Access.All: false } ar ? (compartmentsDrive ? CompartmentSet(ar.Access, a, types) : Emit(i, a))
            : i is IdIn ids && types is not null ? IdSeqs(ids, types, a)
            : !ReferenceEquals(i, driver) && (driver is not null && IsIndexMatch(i) || selective && IsRange(i)) ? PerRow(i, a) : Emit(i, a)));
    }

    /// <summary>
    /// Ids of known types as a semi-join on <c>ux_rv_version (res_type, res_id, version)</c>: one seek per id. The plain
    /// <c>r.res_id IN (...)</c> let the planner walk <c>ix_rv_type (res_type, seq)</c> for the page's seq order and test
    /// every row of the type (all 10,000 Patients for <c>Patient?_id=x</c>).
    /// </summary>
    private string IdSeqs(IdIn x, IReadOnlyList<string> types, string a)
    {
        var v = Alias("v");
        var type = types.Count == 1 ? $"{v}.res_type = {P(types[0])}" : $"{v}.res_type IN ({string.Join(", ", types.Select(P))})";
        var id = x.Ids.Count == 1 ? $"{v}.res_id = {P(x.Ids[0])}" : $"{v}.res_id IN ({string.Join(", ", x.Ids.Select(P))})";
        return $"{a}.seq IN (SELECT {v}.seq FROM resource_version {v} WHERE {type} AND {id} AND {string.Format(Live, v)})";
    }

    private static bool IsRange(SearchExpr e) => e switch
    {
        ParamMatch { Condition: DateCondition or NumberCondition or QuantityCondition or CompositeRangeCondition } => true,
        AnyOf o => o.Items.Count > 0 && o.Items.All(IsRange),
        _ => false,
    };

    private static bool IsIndexMatch(SearchExpr e) => e switch
    {
        ParamMatch => true,
        AnyOf o => o.Items.Count > 0 && o.Items.All(m => m is ParamMatch),
        _ => false,
    };

    private string PerRow(SearchExpr e, string a)
    {
        var items = e is AnyOf o ? o.Items.Cast<ParamMatch>().ToList() : [(ParamMatch)e];
        var first = items[0];
        if (items.Any(m => (m.ResourceType, m.Param, m.Condition.Kind) != (first.ResourceType, first.Param, first.Condition.Kind)))
            return Emit(e, a);
        var i = Alias("i");
        // "+h_ident" keeps the planner on the (seq, ord) primary key.
        return $"EXISTS (SELECT 1 FROM {Table(first.Condition.Kind)} {i} WHERE {i}.seq = {a}.seq AND +{i}.h_ident = {P(IndexHash.Of(first.ResourceType, first.Param))}" +
               $" AND ({Alternatives(items, i)}))";
    }

    /// <summary>Alternatives on the same parameter share one semi-join (one index range scan per value).</summary>
    private string Any(AnyOf x, string a)
    {
        if (x.Items.Count > 1 && SameParam(x))
        {
            var first = (ParamMatch)x.Items[0];
            return Index(first.ResourceType, first.Param, first.Condition.Kind, a, i => Alternatives(x.Items.Cast<ParamMatch>(), i));
        }
        // A chain over several target types (subject.identifier: Patient, Group, ...) is one semi-join over a UNION,
        // not an OR of semi-joins (which the planner answers with a scan of the type).
        if (x.Items.Count > 1 && x.Items.All(i => i is ChainMatch))
            return $"{a}.seq IN ({string.Join(" UNION ALL ", x.Items.Cast<ChainMatch>().Select(ChainSelect))})";
        return "(" + string.Join(" OR ", x.Items.Select(i => Emit(i, a))) + ")";
    }

    /// <summary>Matches on one parameter as alternatives over the index row <paramref name="i"/>.</summary>
    private string Alternatives(IEnumerable<ParamMatch> items, string i) => string.Join(" OR ", items.Select(m => "(" + Condition(m, i) + ")"));

    /// <summary>Every item is a match on the same parameter (and table).</summary>
    private static bool SameParam(AnyOf o) =>
        o.Items.Count > 0 && o.Items.All(i => i is ParamMatch) &&
        o.Items.Cast<ParamMatch>().Select(m => (m.ResourceType, m.Param, m.Condition.Kind)).Distinct().Count() == 1;

    public static string Table(IndexKind k) => k switch
    {
        IndexKind.String => "idx_string",
        IndexKind.Token => "idx_token",
        IndexKind.Date => "idx_date",
        IndexKind.Number => "idx_number",
        IndexKind.Quantity => "idx_quantity",
        IndexKind.Reference => "idx_reference",
        IndexKind.Uri => "idx_uri",
        _ => "idx_composite",
    };

    private string Index(string type, string param, IndexKind kind, string a, Func<string, string> cond)
    {
        var i = Alias("i");
        return $"{a}.seq IN (SELECT {i}.seq FROM {Table(kind)} {i} WHERE {i}.h_ident = {P(IndexHash.Of(type, param))} AND ({cond(i)}))";
    }

    private string Chain(ChainMatch x, string a) => $"{a}.seq IN ({ChainSelect(x)})";

    /// <summary>The seqs of rows whose reference points to a matching target.</summary>
    private string ChainSelect(ChainMatch x)
    {
        var i = Alias("i");
        return $"SELECT {i}.seq FROM idx_reference {i} WHERE {i}.h_ident = {P(IndexHash.Of(x.ResourceType, x.Param))} AND {ChainTarget(x, i)}";
    }

    /// <summary>The reference row <paramref name="i"/> points to a local target that satisfies the chain.</summary>
    private string ChainTarget(ChainMatch x, string i)
    {
        var t = Alias("t");
        var targetType = x.TargetTypes.Count == 1 ? $"{i}.target_type = {P(x.TargetTypes[0])}"
            : $"{i}.target_type IN ({string.Join(", ", x.TargetTypes.Select(P))})";
        return $"{targetType} AND {i}.base_url IS NULL AND {i}.target_id IN (SELECT {t}.res_id FROM resource_version {t}" +
               $" WHERE {string.Format(Live, t)} AND {Emit(x.Target, t)})";
    }

    private string Has(HasMatch x, string a)
    {
        var i = Alias("i");
        var s = Alias("s");
        var target = x.TargetType is null ? $"{i}.target_type = {a}.res_type" : $"{i}.target_type = {P(x.TargetType)}";
        // Sources restricted to explicit compartments are few: read them first (CROSS JOIN fixes the order) and
        // look up their references by seq, instead of walking every reference of the parameter.
        var fewSources = x.Source is AllOf src && src.Items.Any(e => e is AccessRestriction { Access.All: false });
        var join = fewSources ? $"resource_version {s} CROSS JOIN idx_reference {i} ON {i}.seq = {s}.seq"
            : $"idx_reference {i} JOIN resource_version {s} ON {s}.seq = {i}.seq";
        return $"{a}.res_id IN (SELECT {i}.target_id FROM {join}" +
               $" WHERE {(fewSources ? "+" : "")}{i}.h_ident = {P(IndexHash.Of(x.SourceType, x.SourceParam))} AND {target} AND {i}.base_url IS NULL" +
               $" AND {string.Format(Live, s)} AND {Emit(x.Source, s)})";
    }

    /// <summary>_lastUpdated as a seq range: lastUpdated grows with seq (resolved to seq bounds when the query runs).</summary>
    private string LastUpdated(LastUpdatedMatch x, string a)
    {
        var lo = P(new SeqAtOrAfter(x.Low.ToUnixTimeMilliseconds()));
        var hi = P(new SeqAtOrAfter(x.High.ToUnixTimeMilliseconds()));
        // A version is the point [t, t+1ms): eq/ap = inside the range; the others compare with its ends.
        return x.Prefix switch
        {
            SearchPrefix.Eq or SearchPrefix.Ap => $"({a}.seq >= {lo} AND {a}.seq < {hi})",
            SearchPrefix.Ne => $"({a}.seq < {lo} OR {a}.seq >= {hi})",
            SearchPrefix.Gt or SearchPrefix.Sa => $"{a}.seq >= {hi}",
            SearchPrefix.Ge => $"{a}.seq >= {lo}",
            SearchPrefix.Lt or SearchPrefix.Eb => $"{a}.seq < {lo}",
            _ /* le */ => $"{a}.seq < {hi}",
        };
    }

    private string Condition(ParamMatch m, string i) => m.Condition switch
    {
        StringCondition { Mode: StringMode.Exact } c => $"{i}.exact = {P(c.Value)}",
        StringCondition { Mode: StringMode.Contains } c => $"instr({i}.norm, {P(c.Value)}) > 0",
        StringCondition c => $"{i}.norm >= {P(c.Value)} AND {i}.norm < {P(c.Value + "\U0010FFFF")}",
        TokenTextCondition c => $"{i}.text >= {P(c.NormalizedText)} AND {i}.text < {P(c.NormalizedText + "\U0010FFFF")}",
        TokenCondition { AnySystem: true } c => $"{i}.code = {P(c.Code!)}",
        TokenCondition { System: null } c => $"{i}.code = {P(c.Code!)} AND {i}.system IS NULL",
        TokenCondition { Code: null } c => $"{i}.system = {P(c.System!)}",
        // (h_ident, code) is the index; the system is checked through the row's hash.
        TokenCondition c => $"{i}.code = {P(c.Code!)} AND {i}.h_sys_code = {P(IndexHash.Of(m.ResourceType, m.Param, c.System, c.Code))}",
        TokenSetCondition c => TokenSet(c, m, i),
        TokenUriCondition c => (c.Mode == UriMode.Below
            ? $"{i}.code >= {P(c.Code)} AND {i}.code < {P(c.Code + "\U0010FFFF")}"
            : $"substr({P(c.Code)}, 1, length({i}.code)) = {i}.code") + (c.System is null ? "" : $" AND {i}.system = {P(c.System)}"),
        CompositeRangeCondition c => CompositeRange(c, i),
        DateCondition c => Date(c, i),
        NumberCondition c => Number(c, $"{i}.value"),
        QuantityCondition c => Number(c.Number, $"{i}.value") + (c switch
        {
            { System: not null, Code: not null } => $" AND {i}.system = {P(c.System)} AND {i}.code = {P(c.Code)}",
            { Code: not null } => $" AND ({i}.code = {P(c.Code)} OR {i}.unit = {P(c.Code)})",
            { System: not null } => $" AND {i}.system = {P(c.System)}",
            _ => "",
        }),
        ReferenceCondition { IsUrl: true } c => $"{i}.target_id = {P(c.TargetId)} AND {i}.target_type IS NULL",
        ReferenceCondition { TargetType: null } c => $"{i}.target_id = {P(c.TargetId)} AND {i}.base_url IS NULL",
        ReferenceCondition { BaseUrl: null } c => $"{i}.target_id = {P(c.TargetId)} AND {i}.target_type = {P(c.TargetType!)} AND {i}.base_url IS NULL",
        ReferenceCondition c => $"{i}.target_id = {P(c.TargetId)} AND {i}.target_type = {P(c.TargetType!)} AND {i}.base_url = {P(c.BaseUrl!)}",
        UriCondition { Mode: UriMode.Below } c => $"{i}.uri >= {P(c.Uri)} AND {i}.uri < {P(c.Uri + "\U0010FFFF")}",
        UriCondition { Mode: UriMode.Above } c => $"substr({P(c.Uri)}, 1, length({i}.uri)) = {i}.uri",
        UriCondition c => $"{i}.uri = {P(c.Uri)}",
        CompositeCondition c => $"{i}.h_value = {P(IndexHash.Of(m.ResourceType, m.Param, c.Key))}",
        _ => throw new SearchException($"Search on '{m.Param}' is not supported by this store.", m.Param),
    };

    /// <summary>Index range [low, high) against the search range [lo, hi) per FHIR's prefixes.</summary>
    private string Date(DateCondition c, string i)
    {
        var lo = c.Low.ToUnixTimeMilliseconds();
        var hi = c.High.ToUnixTimeMilliseconds();
        return c.Prefix switch
        {
            // "low < hi" follows from the other two (low < high) and bounds the (h_ident, low, high) index range on both
            // sides: without it birthdate=1961-08-19 read the index rows of everyone born after that day.
            SearchPrefix.Eq => $"{i}.low >= {P(lo)} AND {i}.low < {P(hi)} AND {i}.high <= {P(hi)}",
            SearchPrefix.Ne => $"NOT ({i}.low >= {P(lo)} AND {i}.high <= {P(hi)})",
            SearchPrefix.Gt => $"{i}.high > {P(hi)}",
            SearchPrefix.Lt => $"{i}.low < {P(lo)}",
            SearchPrefix.Ge => $"{i}.high > {P(lo)}",
            SearchPrefix.Le => $"{i}.low < {P(hi)}",
            SearchPrefix.Sa => $"{i}.low >= {P(hi)}",
            SearchPrefix.Eb => $"{i}.high <= {P(lo)}",
            _ /* ap */ => $"{i}.low < {P(hi)} AND {i}.high > {P(lo)}",
        };
    }

    private string Number(NumberCondition c, string col) => c.Prefix switch
    {
        SearchPrefix.Eq => $"{col} >= {P((double)c.Low)} AND {col} < {P((double)c.High)}",
        SearchPrefix.Ne => $"NOT ({col} >= {P((double)c.Low)} AND {col} < {P((double)c.High)})",
        SearchPrefix.Gt or SearchPrefix.Sa => $"{col} > {P((double)c.Value)}",
        SearchPrefix.Lt or SearchPrefix.Eb => $"{col} < {P((double)c.Value)}",
        SearchPrefix.Ge => $"{col} >= {P((double)c.Value)}",
        SearchPrefix.Le => $"{col} <= {P((double)c.Value)}",
        // ap: within 10% of the value.
        _ => $"{col} >= {P((double)(c.Value - Math.Abs(c.Value) / 10))} AND {col} <= {P((double)(c.Value + Math.Abs(c.Value) / 10))}",
    };

    /// <summary>Sort keys as scalar subqueries on the row (first value ascending, last descending).</summary>
    public void BuildSort()
    {
        foreach (var k in Plan.Sort)
        {
            if (k.Param == "_id") { SortColumns.Add(("r.res_id", k.Descending)); continue; }
            if (k.Param == "_lastUpdated") { SortColumns.Add(("r.seq", k.Descending)); continue; }
            var type = ((Plan.Filter as AllOf)?.Items.OfType<TypeIn>().FirstOrDefault()?.Types[0])
                       ?? throw new SearchException("_sort needs a resource type.", "_sort");
            var col = k.Kind switch
            {
                IndexKind.String => "norm",
                IndexKind.Token => "code",
                IndexKind.Date => k.Descending ? "high" : "low",
                IndexKind.Number or IndexKind.Quantity => "value",
                IndexKind.Reference => "target_id",
                IndexKind.Uri => "uri",
                _ => throw new SearchException($"Cannot sort on '{k.Param}'.", "_sort"),
            };
            var s = Alias("o");
            SortColumns.Add(($"(SELECT {(k.Descending ? "max" : "min")}({s}.{col}) FROM {Table(k.Kind!.Value)} {s} WHERE {s}.seq = r.seq" +
                             $" AND +{s}.h_ident = {P(IndexHash.Of(type, k.Param))})", k.Descending));
        }
    }
}
