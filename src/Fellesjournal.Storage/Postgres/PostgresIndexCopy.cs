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
        var tables = new[] { str, tok, date, num, qty, refs, uri, comp }; // IndexKind order
        var sink = new TableSink(tables);
        foreach (var (seq, patient, type, index) in versions) IndexRows.Write(ref sink, seq, patient, type, index);
        foreach (var t in tables)
            if (t.Rows.Count > 0) await CopyAsync(c, t, ct).ConfigureAwait(false);
    }

    private readonly struct TableSink(Table[] tables) : IIndexRowSink
    {
        public void Add(Search.IndexKind kind, in IndexRow row) => tables[(int)kind].Rows.Add(row);
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
