using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Fellesjournal.Trust.Identity;

/// <summary>
/// Access tokens that passed every check of <see cref="TokenValidator"/> (signature, issuer, audience, lifetime,
/// claims), keyed by the SHA-256 of the token string, so a client's next request with the same token skips the
/// signature verification. An entry is used only while the token's <c>exp</c> (plus the clock skew) has not passed on
/// the validator's clock; failures are never stored. Issuer keys are fixed for the life of the process, so a cached
/// signature check stays true. DPoP proofs are not cached: they are checked per request. Bounded: when full after
/// dropping expired entries, it starts over.
/// </summary>
public sealed class ValidatedTokenCache(int capacity = 10_000)
{
    private readonly ConcurrentDictionary<string, (Principal Principal, long ExpiresUnix)> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The principal of a cached token that is still valid at <paramref name="nowUnix"/> (exp + skew not passed).</summary>
    public Principal? Get(string key, long nowUnix, long skewSeconds)
    {
        if (!_entries.TryGetValue(key, out var e)) return null;
        if (nowUnix <= e.ExpiresUnix + skewSeconds) return e.Principal;
        _entries.TryRemove(KeyValuePair.Create(key, e));
        return null;
    }

    public void Put(string key, Principal principal, long expiresUnix, long nowUnix, long skewSeconds)
    {
        if (_entries.Count >= capacity)
        {
            foreach (var kv in _entries)
                if (nowUnix > kv.Value.ExpiresUnix + skewSeconds) _entries.TryRemove(kv);
            if (_entries.Count >= capacity) _entries.Clear();
        }
        _entries[key] = (principal, expiresUnix);
    }
}
