using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// One pooled reader connection holding one read transaction across the reads of a request. Every autocommit
/// statement is a read transaction of its own, and SQLite begins each with a file lock, a size check and an unlock
/// (three system calls; fifteen statements made forty-five of a summary request's forty-seven). The transaction is
/// begun at the first read and ended when the scope ends, so the reads also see one consistent state of the store.
/// </summary>
internal sealed class SqliteReadSnapshot(SqliteReadPool.Lease lease) : IDisposable
{
    private const int Idle = 0, InUse = 1, Closed = 2;
    private int _state;
    private bool _begun;
    private long _storeMarker = -1; // -1: not read in the current transaction (one word, so reads are never torn)

    /// <summary>The store's marker as this transaction sees it, once read in it (it cannot change until the
    /// transaction ends, and several caches of one request check it).</summary>
    public long? StoreMarker => Volatile.Read(ref _storeMarker) is >= 0 and var m ? m : null;

    /// <summary>Remembers the store's marker read on this snapshot's own connection, inside its transaction.</summary>
    public void RememberStoreMarker(long value)
    {
        if (_begun) Volatile.Write(ref _storeMarker, value);
    }

    /// <summary>The connection for one read, or null when the scope has ended or another read of the same flow is
    /// using it (the caller then reads on a connection of its own).</summary>
    public SqliteConnection? Enter()
    {
        if (Interlocked.CompareExchange(ref _state, InUse, Idle) != Idle) return null;
        if (!_begun)
        {
            SqliteStatements.NonQuery(lease.Connection, "BEGIN");
            _begun = true;
        }
        return lease.Connection;
    }

    public void Exit() => Volatile.Write(ref _state, Idle);

    /// <summary>Before a write on the same flow: end the transaction, so reads after the write see it.</summary>
    public void Restart()
    {
        if (Interlocked.CompareExchange(ref _state, InUse, Idle) != Idle) return;
        End();
        Exit();
    }

    private void End()
    {
        if (!_begun) return;
        _begun = false;
        Volatile.Write(ref _storeMarker, -1);
        SqliteStatements.NonQuery(lease.Connection, "COMMIT");
    }

    public void Dispose()
    {
        var spin = new SpinWait();
        while (true)
        {
            var s = Interlocked.CompareExchange(ref _state, Closed, Idle);
            if (s == Closed) return;
            if (s == Idle) break;
            spin.SpinOnce(); // a read of a flow that outlived the request: it is synchronous and short
        }
        try
        {
            End();
        }
        catch (SqliteException)
        {
            lease.Discard();
            return;
        }
        lease.Dispose();
    }
}
