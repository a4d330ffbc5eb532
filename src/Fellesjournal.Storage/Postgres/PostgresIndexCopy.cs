using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Fellesjournal.Storage.Postgres;

/// <summary>Index rows by value type, streamed into their tables with binary COPY (one COPY per table that has rows).
/// Same columns and hashes as the SQLite writer, so the same search fragments find them. Rows are buffered typed
/// (no boxing) and written with the synchronous row API: the COPY buffer goes to the socket only when full, and an
/// await per column value cost more than the values themselves.</summary>
internal static class PostgresIndexCopy
{
    private sealed class Table(string name, string columns, Action<NpgsqlBinaryImporter, IndexRow> writeOwn)
    {
        public readonly string Name = name, Columns = columns;
        public readonly Action<NpgsqlBinaryImporter, IndexRow> WriteOwn = writeOwn;
        public readonly List<IndexRow> Rows = [];
    }

    public static async Task WriteAsync(NpgsqlConnection c, IEnumerable<(long Seq, string PatientId, string Type, ResourceIndex Index)> versions, CancellationToken ct)
    {
        var str = new Table("idx_string", "norm, exact", (w, r) => { Text(w, r.S1); Text(w, r.S2); });
        var tok = new Table("idx_token", "h_sys_code, system, code, text", (w, r) => { w.Write(r.I1, NpgsqlDbType.Bigint); Text(w, r.S1); Text(w, r.S2); Text(w, r.S3); });
        var date = new Table("idx_date", "low, high", (w, r) => { w.Write(r.I1, NpgsqlDbType.Bigint); w.Write(r.I2, NpgsqlDbType.Bigint); });
        var num = new Table("idx_number", "value", (w, r) => w.Write(r.R, NpgsqlDbType.Double));
        var qty = new Table("idx_quantity", "value, system, code, unit", (w, r) => { w.Write(r.R, NpgsqlDbType.Double); Text(w, r.S1); Text(w, r.S2); Text(w, r.S3); });
        var refs = new Table("idx_reference", "target_type, target_id, base_url", (w, r) => { Text(w, r.S1); Text(w, r.S2); Text(w, r.S3); });
        var uri = new Table("idx_uri", "uri", (w, r) => Text(w, r.S1));
        var comp = new Table("idx_composite", "h_value, components", (w, r) => { w.Write(r.I1, NpgsqlDbType.Bigint); Text(w, r.S1); });
        foreach (var (seq, patient, type, index) in versions)
        {
            var ord = 0;
            foreach (var v in index.Values)
            {
                var ident = IndexHash.Of(type, v.Param);
                switch (v)
                {
                    case StringIndexValue s: str.Rows.Add(new(seq, ord++, patient, ident, S1: s.Normalized, S2: s.Exact)); break;
                    case TokenIndexValue t:
                        tok.Rows.Add(new(seq, ord++, patient, ident, I1: IndexHash.Of(type, t.Param, t.System, t.Code), S1: t.System, S2: t.Code, S3: t.Text));
                        break;
                    case DateIndexValue d: date.Rows.Add(new(seq, ord++, patient, ident, I1: SqliteValues.Millis(d.Low), I2: SqliteValues.Millis(d.High))); break;
                    case NumberIndexValue n: num.Rows.Add(new(seq, ord++, patient, ident, R: (double)n.Value)); break;
                    case QuantityIndexValue q: qty.Rows.Add(new(seq, ord++, patient, ident, R: (double)q.Value, S1: q.System, S2: q.Code, S3: q.Unit)); break;
                    case ReferenceIndexValue r: refs.Rows.Add(new(seq, ord++, patient, ident, S1: r.TargetType, S2: r.TargetId, S3: r.BaseUrl)); break;
                    case UriIndexValue u: uri.Rows.Add(new(seq, ord++, patient, ident, S1: u.Uri)); break;
                    case CompositeIndexValue cv:
                        comp.Rows.Add(new(seq, ord++, patient, ident, I1: IndexHash.Of(type, cv.Param, CompositeKeys.KeyOf(cv)), S1: CompositeKeys.Describe(cv)));
                        break;
                }
            }
        }
        foreach (var t in new[] { str, tok, date, num, qty, refs, uri, comp })
            if (t.Rows.Count > 0) await CopyAsync(c, t, ct).ConfigureAwait(false);
    }

    private static void Text(NpgsqlBinaryImporter w, string? s)
    {
        if (s is null) w.WriteNull();
        else w.Write(s, NpgsqlDbType.Text);
    }

    private static async Task CopyAsync(NpgsqlConnection c, Table t, CancellationToken ct)
    {
        await using var w = await c.BeginBinaryImportAsync(
            $"COPY {t.Name} (seq, ord, patient_id, h_ident, {t.Columns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        foreach (var row in t.Rows)
        {
            w.StartRow();
            w.Write(row.Seq, NpgsqlDbType.Bigint);
            w.Write(row.Ord, NpgsqlDbType.Integer);
            Text(w, row.Patient);
            w.Write(row.Ident, NpgsqlDbType.Bigint);
            t.WriteOwn(w, row);
        }
        await w.CompleteAsync(ct).ConfigureAwait(false);
    }
}
