using System.Security.Cryptography;
using System.Text;

namespace Fellesjournal.Trust.Audit;

/// <summary>
/// Signs and verifies checkpoints with the server's ECDSA P-256 audit key. Whoever can rewrite the database can
/// recompute a hash chain, but not these signatures without the key, so keep the private key outside the database
/// (file with restricted permissions, HSM/KMS in production) and publish the public key.
/// </summary>
public sealed class AuditCheckpointSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly bool _canSign;
    public string KeyId { get; }

    private AuditCheckpointSigner(ECDsa key, bool canSign)
    {
        _key = key;
        _canSign = canSign;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    /// <summary>A fresh key (tests, development).</summary>
    public static AuditCheckpointSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), true);

    /// <summary>From a PEM private key (signing) or public key (verify-only).</summary>
    public static AuditCheckpointSigner FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var hasPrivate = pem.Contains("PRIVATE KEY", StringComparison.Ordinal);
        return new AuditCheckpointSigner(key, hasPrivate);
    }

    public string PrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();
    public string PublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    public AuditCheckpoint Sign(long sequence, byte[] hash, DateTimeOffset time)
    {
        if (!_canSign) throw new InvalidOperationException("This audit key is verify-only.");
        var sig = _key.SignData(Payload(sequence, hash, time), HashAlgorithmName.SHA256);
        return new AuditCheckpoint(sequence, hash, time, KeyId, sig);
    }

    public bool Verify(AuditCheckpoint cp) =>
        cp.KeyId == KeyId && _key.VerifyData(Payload(cp.Sequence, cp.Hash, cp.Time), cp.Signature, HashAlgorithmName.SHA256);

    private static byte[] Payload(long seq, byte[] hash, DateTimeOffset time) =>
        Encoding.UTF8.GetBytes($"fellesjournal-audit-checkpoint\n{seq}\n{Convert.ToHexStringLower(hash)}\n{time.ToUnixTimeMilliseconds()}");

    public void Dispose() => _key.Dispose();
}
