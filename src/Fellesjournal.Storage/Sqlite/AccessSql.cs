using System.Text.Json;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// The SQL form of <see cref="CompartmentAccess.Permits(string?, string, IEnumerable{string}?)"/> on a
/// <c>resource_version</c> alias, in SQLite syntax (the PostgreSQL store maps it with <c>PostgresSearch.Dialect</c>).
/// Every set travels as one JSON parameter, so the statement text depends only on which parts are present (and
/// whether the compartments are one or several), never on the size or content of the sets: it stays cacheable.
/// </summary>
internal static class AccessSql
{
    /// <summary>The condition (starting with " AND "), or "" when <paramref name="access"/> restricts nothing.</summary>
    /// <param name="param">Registers a parameter value and returns its placeholder.</param>
    public static string And(string a, CompartmentAccess? access, Func<object, string> param)
    {
        var p = Predicate(a, access, param);
        return p is null ? "" : " AND " + p;
    }

    /// <summary>The condition, or null when <paramref name="access"/> restricts nothing.</summary>
    public static string? Predicate(string a, CompartmentAccess? access, Func<object, string> param)
    {
        if (access is null || access.IsUnrestricted) return null;
        var parts = new List<string>();
        if (!access.All)
        {
            var inSet = access.PatientIds.Count == 0 ? "0 = 1" : InSet(a, access, param);
            parts.Add(access.IncludeShared ? $"({a}.patient_id IS NULL OR {inSet})" : inSet);
        }
        else if (!access.IncludeShared) parts.Add($"NOT ({a}.patient_id IS NULL)");

        // Type locks: "patient|Type" must not be in the set.
        var types = access.Hidden.Where(h => !h.IsCoding).Select(h => h.PatientId + "|" + h.Key).Distinct().ToList();
        if (types.Count > 0)
            parts.Add($"({a}.patient_id IS NULL OR ({a}.patient_id || '|' || {a}.res_type) NOT IN (SELECT value FROM json_each({param(Json(types))})))");

        // Coding locks: no token row of the version may carry "patient|system|code". A version without index rows
        // (superseded, or a tombstone) of a patient with a coding lock is hidden: its codes are unknown here.
        var codings = access.Hidden.Where(h => h.IsCoding).ToList();
        if (codings.Count > 0)
        {
            var k = a + "_lock";
            var patients = param(Json(codings.Select(h => h.PatientId).Distinct()));
            var keys = param(Json(codings.Select(h => h.PatientId + "|" + h.Key).Distinct()));
            parts.Add($"({a}.patient_id IS NULL OR NOT ({a}.patient_id IN (SELECT value FROM json_each({patients}))" +
                      $" AND ({a}.is_current = 0 OR {a}.deleted = 1 OR EXISTS (SELECT 1 FROM idx_token {k} WHERE {k}.seq = {a}.seq" +
                      $" AND ({a}.patient_id || '|' || coalesce({k}.system, '') || '|' || {k}.code) IN (SELECT value FROM json_each({keys}))))))");
        }
        return parts.Count == 0 ? null : "(" + string.Join(" AND ", parts) + ")";
    }

    /// <summary>The row's compartment is one of the reach's patients (at least one). One patient
    /// (<see cref="CompartmentAccess.SinglePatient"/>) is a plain equality: PostgreSQL can then keep one generic plan
    /// for it, which it cannot for a list whose size it does not know (see <c>GenericPlanChoice</c>).</summary>
    public static string InSet(string a, CompartmentAccess access, Func<object, string> param) =>
        access.SinglePatient is { } one ? $"{a}.patient_id = {param(one)}"
            : $"{a}.patient_id IN (SELECT value FROM json_each({param(Json(access.PatientIds.Distinct()))}))";

    private static string Json(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());

    /// <summary>A parameter binder for a SQLite command: <c>$acc0</c>, <c>$acc1</c>, ...</summary>
    public static Func<object, string> Binder(Microsoft.Data.Sqlite.SqliteCommand cmd)
    {
        var n = 0;
        return v =>
        {
            var name = "$acc" + n++;
            cmd.Parameters.AddWithValue(name, v);
            return name;
        };
    }
}
