using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Fellesjournal.Storage.Postgres;

/// <summary>Index rows by value type, streamed into their tables with binary COPY (one COPY per table that has rows).
/// Same columns and hashes as the SQLite writer, so the same search fragments find them.</summary>
internal static class PostgresIndexCopy
{
    private sealed class Table(string name, string columns)
    {
        public readonly string Name = name, Columns = columns;
        public readonly List<object?[]> Rows = [];
    }

    public static async Task WriteAsync(NpgsqlConnection c, IEnumerable<(long Seq, string PatientId, string Type, ResourceIndex Index)> versions, CancellationToken ct)
    {
        var str = new Table("idx_string", "norm, exact");
        var tok = new Table("idx_token", "h_sys_code, system, code, text");
        var date = new Table("idx_date", "low, high");
        var num = new Table("idx_number", "value");
        var qty = new Table("idx_quantity", "value, system, code, unit");
        var refs = new Table("idx_reference", "target_type, target_id, base_url");
        var uri = new Table("idx_uri", "uri");
        var comp = new Table("idx_composite", "h_value, components");
        foreach (var (seq, patient, type, index) in versions)
        {
            var ord = 0;
            foreach (var v in index.Values)
            {
                var ident = IndexHash.Of(type, v.Param);
                switch (v)
                {
                    case StringIndexValue s: str.Rows.Add([seq, ord++, patient, ident, s.Normalized, s.Exact]); break;
                    case TokenIndexValue t:
                        tok.Rows.Add([seq, ord++, patient, ident, IndexHash.Of(type, t.Param, t.System, t.Code), t.System, t.Code, t.Text]);
                        break;
                    case DateIndexValue d: date.Rows.Add([seq, ord++, patient, ident, SqliteValues.Millis(d.Low), SqliteValues.Millis(d.High)]); break;
                    case NumberIndexValue n: num.Rows.Add([seq, ord++, patient, ident, (double)n.Value]); break;
                    case QuantityIndexValue q: qty.Rows.Add([seq, ord++, patient, ident, (double)q.Value, q.System, q.Code, q.Unit]); break;
                    case ReferenceIndexValue r: refs.Rows.Add([seq, ord++, patient, ident, r.TargetType, r.TargetId, r.BaseUrl]); break;
                    case UriIndexValue u: uri.Rows.Add([seq, ord++, patient, ident, u.Uri]); break;
                    case CompositeIndexValue cv:
                        comp.Rows.Add([seq, ord++, patient, ident, IndexHash.Of(type, cv.Param, CompositeKeys.KeyOf(cv)), CompositeKeys.Describe(cv)]);
                        break;
                }
            }
        }
        foreach (var t in new[] { str, tok, date, num, qty, refs, uri, comp })
            if (t.Rows.Count > 0) await CopyAsync(c, t, ct).ConfigureAwait(false);
    }

    private static async Task CopyAsync(NpgsqlConnection c, Table t, CancellationToken ct)
    {
        await using var w = await c.BeginBinaryImportAsync(
            $"COPY {t.Name} (seq, ord, patient_id, h_ident, {t.Columns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        foreach (var row in t.Rows)
        {
            await w.StartRowAsync(ct).ConfigureAwait(false);
            foreach (var v in row)
            {
                var task = v switch
                {
                    null => w.WriteNullAsync(ct),
                    long l => w.WriteAsync(l, NpgsqlDbType.Bigint, ct),
                    int n => w.WriteAsync(n, NpgsqlDbType.Integer, ct),
                    double d => w.WriteAsync(d, NpgsqlDbType.Double, ct),
                    string s => w.WriteAsync(s, NpgsqlDbType.Text, ct),
                    _ => throw new InvalidOperationException("Unexpected index column type " + v.GetType().Name),
                };
                await task.ConfigureAwait(false);
            }
        }
        await w.CompleteAsync(ct).ConfigureAwait(false);
    }
}
