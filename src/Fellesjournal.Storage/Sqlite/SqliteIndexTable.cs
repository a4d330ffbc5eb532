using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>One index row as the writer buffers it: the common columns and up to two integers, a real and three
/// texts of the table's own columns (which of them a table uses is its binder's business).</summary>
internal readonly record struct IndexRow(long Seq, int Ord, string? Patient, long Ident,
    long I1 = 0, long I2 = 0, double R = 0, string? S1 = null, string? S2 = null, string? S3 = null);

/// <summary>
/// The rows of one index table written during a merge: buffered, then inserted <see cref="Chunk"/> at a time by one
/// multi-row INSERT (one statement step for many rows instead of one per row) and the remainder one by one.
/// </summary>
internal sealed class SqliteIndexTable : IDisposable
{
    public const int Chunk = 32;
    private const string Common = "seq, ord, patient_id, h_ident";

    private readonly RawStatement _one, _many;
    private readonly int _columns;
    private readonly Action<RawStatement, int, IndexRow> _bindOwn;
    private readonly List<IndexRow> _rows = [];

    /// <param name="ownColumns">The table's columns after the common four.</param>
    /// <param name="bindOwn">Binds a row's own columns, the first at the given 1-based position.</param>
    public SqliteIndexTable(SqliteConnection conn, string table, string ownColumns, Action<RawStatement, int, IndexRow> bindOwn)
    {
        _columns = 4 + ownColumns.Split(',').Length;
        _bindOwn = bindOwn;
        var tuple = "(" + string.Join(", ", Enumerable.Repeat("?", _columns)) + ")";
        var insert = $"INSERT INTO {table} ({Common}, {ownColumns}) VALUES ";
        _one = new RawStatement(conn, insert + tuple);
        _many = new RawStatement(conn, insert + string.Join(", ", Enumerable.Repeat(tuple, Chunk)));
    }

    public int Pending => _rows.Count;

    public void Add(in IndexRow row) => _rows.Add(row);

    public void Flush()
    {
        try
        {
            var i = 0;
            for (; i + Chunk <= _rows.Count; i += Chunk)
            {
                for (var k = 0; k < Chunk; k++) Bind(_many, k * _columns, _rows[i + k]);
                _many.Run();
            }
            for (; i < _rows.Count; i++)
            {
                Bind(_one, 0, _rows[i]);
                _one.Run();
            }
        }
        finally
        {
            _rows.Clear();
        }
    }

    /// <summary>Forgets buffered rows (the merge failed and its transaction or savepoint is rolled back).</summary>
    public void Clear() => _rows.Clear();

    private void Bind(RawStatement s, int offset, in IndexRow r)
    {
        s.Int(offset + 1, r.Seq).Int(offset + 2, r.Ord).Text(offset + 3, r.Patient).Int(offset + 4, r.Ident);
        _bindOwn(s, offset + 5, r);
    }

    public void Dispose()
    {
        _one.Dispose();
        _many.Dispose();
    }
}
