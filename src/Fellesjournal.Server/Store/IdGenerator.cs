using System.Security.Cryptography;

namespace Fellesjournal.Server.Store;

/// <summary>
/// Server-assigned ids: ULID-like, 20 lowercase Crockford base32 characters — 48 bits of milliseconds
/// (ids sort roughly by creation, which keeps index inserts local) and 52 random bits.
/// </summary>
public static class IdGenerator
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string NewId()
    {
        Span<char> chars = stackalloc char[20];
        var ms = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 9; i >= 0; i--) { chars[i] = Alphabet[(int)(ms & 31)]; ms >>= 5; }
        Span<byte> rnd = stackalloc byte[8];
        RandomNumberGenerator.Fill(rnd);
        var r = BitConverter.ToUInt64(rnd);
        for (var i = 10; i < 20; i++) { chars[i] = Alphabet[(int)(r & 31)]; r >>= 5; }
        return new string(chars);
    }
}
