using System.Collections.Concurrent;

namespace Fellesjournal.Trust.Identity;

/// <summary>
/// Remembers DPoP proof ids (<c>jti</c>, per key) until the proof could no longer be accepted anyway, so a
/// captured proof cannot be replayed. Thread-safe; bounded: when full even after dropping expired entries it
/// refuses new proofs (fails closed) rather than forgetting live ones, which would reopen replay.
/// One instance per server process; a multi-node deployment needs a shared cache (documented in security.md).
/// </summary>
public sealed class DpopReplayCache(int capacity = 100_000)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Lock _purgeLock = new();
    private long _nextPurge;

    public int Count => _seen.Count;

    /// <summary>Records the id; false when it was seen before (a replay) or the cache is full.</summary>
    /// <param name="forgetAfterUnix">Unix seconds after which the proof is outside the acceptance window.</param>
    public bool TryUse(string key, long forgetAfterUnix, long nowUnix)
    {
        if (nowUnix >= Volatile.Read(ref _nextPurge) || _seen.Count >= capacity) Purge(nowUnix);
        if (_seen.TryGetValue(key, out var until))
            return until < nowUnix && _seen.TryUpdate(key, forgetAfterUnix, until); // expired entry not yet purged
        if (_seen.Count >= capacity) return false;
        if (_seen.TryAdd(key, forgetAfterUnix)) return true;
        // Lost a race with the same key: only one caller may succeed.
        return false;
    }

    private void Purge(long nowUnix)
    {
        lock (_purgeLock)
        {
            if (nowUnix < _nextPurge && _seen.Count < capacity) return;
            foreach (var kv in _seen)
                if (kv.Value < nowUnix) _seen.TryRemove(kv);
            _nextPurge = nowUnix + 10;
        }
    }
}
